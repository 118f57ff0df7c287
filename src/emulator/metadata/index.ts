/**
 * The CVM metadata server in the emulator: requests with Host `metadata.tencentyun.com`, or any
 * Host with a path under `/latest/meta-data/`, are answered here.
 *
 * - `GET /latest/meta-data/cam/security-credentials/` lists the instance's role
 *   ({@link METADATA_ROLE}), as text;
 * - `GET /latest/meta-data/cam/security-credentials/<role>` answers its temporary key
 *   (`TmpSecretId`, `TmpSecretKey`, `Token`, `ExpiredTime`, `Expiration`, `Code: "Success"`),
 *   which the API 3.0 side accepts until it expires; a role not bound answers 404;
 * - `instance-id`, `placement/region`, `placement/zone` and the index answer plain text.
 *
 * Like the real server, a role's key is served again until less than {@link ROTATE_SECONDS}
 * remain, then a new one is issued. Fault rules apply with `service: "metadata"` and action
 * `RoleList`, `RoleCredentials` or `Metadata` (`error` makes the credentials answer a `Code`
 * other than `Success`; `truncate` cuts the answer in half). Requests are recorded without the
 * answer's secrets.
 *
 * @internal
 */
import type * as http from "node:http"
import { randomUUID } from "node:crypto"
import { resetSocket, sendAnswer } from "../delivery.js"
import type { FaultDecision } from "../faults.js"
import type { EmulatorContext, ProtocolFactory, ProtocolHandler } from "../protocol.js"
import { iso } from "../state/world.js"
import { issueTemporary, type TemporaryCredential } from "../state/sts.js"

/** The role bound to the emulated instance. */
export const METADATA_ROLE = "emulator-cvm-role"
/** Lifetime of the instance role's temporary keys. */
export const ROLE_KEY_SECONDS = 7200
/** A role's key is served again until less than this remains (then a new one is issued). */
export const ROTATE_SECONDS = 1800

const HOST = "metadata.tencentyun.com"
const PREFIX = "/latest/meta-data/"
const CREDENTIALS = `${PREFIX}cam/security-credentials/`

interface Answer {
  readonly status: number
  readonly body: string
  readonly contentType: string
  /** For the request log: `Success` or the refusal. */
  readonly code?: string | undefined
}

const text = (status: number, body: string, code?: string): Answer => ({ status, body, contentType: "text/plain; charset=utf-8", code })
const notFound = (): Answer => ({
  status: 404,
  contentType: "text/html",
  body: "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
  code: "NotFound"
})

/** The metadata protocol handler. */
export const metadataServer: ProtocolFactory = (ctx: EmulatorContext): ProtocolHandler => {
  const store = () => ctx.state.world.store("metadata", "", () => ({ current: undefined as TemporaryCredential | undefined }))

  const roleKey = (now: number): TemporaryCredential => {
    const s = store()
    const c = s.current
    if (c !== undefined && c.expiresAt - now > ROTATE_SECONDS * 1000 && ctx.state.temporary(c.secretId) === c) return c
    s.current = issueTemporary(ctx.state.world, now, "MetadataRoleCredentials", `cvm-role:${METADATA_ROLE}`, ROLE_KEY_SECONDS)
    return s.current
  }

  const route = (method: string, path: string): { readonly action: string; readonly answer: () => Answer } => {
    if (path === CREDENTIALS || path === CREDENTIALS.slice(0, -1)) {
      return { action: "RoleList", answer: () => (method === "GET" ? text(200, METADATA_ROLE) : text(405, "method not allowed")) }
    }
    if (path.startsWith(CREDENTIALS)) {
      const role = decodeURIComponent(path.slice(CREDENTIALS.length))
      return {
        action: "RoleCredentials",
        answer: () => {
          if (method !== "GET") return text(405, "method not allowed")
          if (role !== METADATA_ROLE) return notFound()
          const c = roleKey(ctx.now())
          return {
            status: 200,
            contentType: "application/json",
            code: "Success",
            body: JSON.stringify({
              TmpSecretId: c.secretId,
              TmpSecretKey: c.secretKey,
              ExpiredTime: Math.floor(c.expiresAt / 1000),
              Expiration: iso(c.expiresAt),
              Token: c.token,
              Code: "Success"
            })
          }
        }
      }
    }
    const plain: Record<string, string> = {
      [PREFIX]: "instance-id\nplacement/\ncam/\n",
      [`${PREFIX}instance-id`]: "ins-emulator",
      [`${PREFIX}placement/region`]: "ap-guangzhou",
      [`${PREFIX}placement/zone`]: "ap-guangzhou-3"
    }
    return { action: "Metadata", answer: () => (Object.hasOwn(plain, path) ? text(200, plain[path]) : notFound()) }
  }

  const matches = (hostname: string, req: http.IncomingMessage): boolean => hostname === HOST || (req.url ?? "").startsWith(PREFIX)
  const routing = { host: (hostname: string) => hostname === HOST, paths: [PREFIX] }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    req.on("error", () => {})
    res.on("error", () => {})
    req.resume()
    req.on("end", () => {
      const seq = ctx.recorder.nextSeq()
      const time = ctx.now()
      const host = typeof req.headers.host === "string" ? req.headers.host : ""
      const url = req.url ?? "/"
      const q = url.indexOf("?")
      const path = q < 0 ? url : url.slice(0, q)
      const { action, answer } = route(req.method ?? "GET", path)
      let decision: FaultDecision
      try {
        decision = ctx.faults.decide({ service: "metadata", action, region: undefined, host: host.replace(/:\d+$/, "").toLowerCase() })
      } catch {
        decision = { latencyMs: 0, fault: undefined, fired: [] }
      }
      const record = (a: Answer | undefined) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v
        ctx.recorder.push({
          seq, time, method: req.method ?? "", host, path, query: q < 0 ? "" : url.slice(q + 1), headers,
          service: "metadata", version: undefined, action, region: undefined, signatureMethod: undefined, secretId: undefined,
          params: undefined, bodyBytes: 0,
          response: { status: a?.status ?? 0, code: a?.code, message: undefined, requestId: undefined },
          faults: decision.fired, fault: decision.fault?.kind
        })
      }
      const go = () => {
        try {
          const f = decision.fault
          if (f?.kind === "reset") {
            record(undefined)
            return resetSocket(req.socket)
          }
          let a: Answer
          if (f?.kind === "http") a = { status: f.status, contentType: "text/html", body: f.body ?? `<html><body><h1>${f.status}</h1></body></html>` }
          else if (f?.kind === "error") {
            a = action === "RoleCredentials"
              ? { status: 200, contentType: "application/json", code: f.code, body: JSON.stringify({ Code: f.code, Message: f.message ?? `Injected fault: ${f.code}.` }) }
              : text(500, f.message ?? `Injected fault: ${f.code}.`, f.code)
          } else a = answer()
          record(a)
          if (res.destroyed) return
          sendAnswer(res, a.status, { "Content-Type": a.contentType, "X-Request-Id": randomUUID() }, a.body, f)
        } catch {
          if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" })
          res.end("emulator error")
        }
      }
      if (decision.latencyMs > 0) setTimeout(go, decision.latencyMs)
      else go()
    })
  }

  return { name: "metadata", matches, routing, handle }
}
