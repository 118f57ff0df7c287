/**
 * Test helpers: sign a request with the core Signer and send it to an emulator over loopback with
 * node:http (which, unlike fetch, sends the Host header we give).
 */
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import type { Credential } from "../../src/Credentials.js"
import * as Json from "../../src/Json.js"
import * as Signer from "../../src/Signer.js"
import { Catalog, DEMO_CREDENTIALS, type EmulatorHandle } from "../../src/emulator/index.js"
import * as fs from "node:fs"
import type { Shape } from "../../src/emulator/shape.js"

export const SPEC_DIR = new URL("../../../shared/tencentcloud-api", import.meta.url).pathname

/** Whether the tccli specs are beside the checkout; tests that read api.json skip without them. */
export const HAS_SPECS = fs.existsSync(SPEC_DIR)
if (!HAS_SPECS) console.log(`skipping the emulator tests that read api.json: no specs at ${SPEC_DIR}`)

/** The specs' catalog when they are present, else the catalog of the generated modules. */
export const specCatalog = (): Catalog.ActionCatalog => (HAS_SPECS ? Catalog.fromSpecDir(SPEC_DIR) : Catalog.generated())

export const demoCredential: Credential = {
  secretId: DEMO_CREDENTIALS.secretId,
  secretKey: Redacted.make(DEMO_CREDENTIALS.secretKey)
}

export interface RawResponse {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly text: string
  readonly json: any
}

/** Send raw bytes to the emulator. */
export const send = (
  emu: Pick<EmulatorHandle, "port">,
  r: { readonly method: string; readonly path: string; readonly headers: Record<string, string>; readonly body?: string | Uint8Array | undefined }
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: emu.port, method: r.method, path: r.path, headers: r.headers, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("error", reject)
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        let json: unknown
        try {
          json = Json.parse(text)
        } catch {
          json = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json })
      })
    })
    req.on("error", reject)
    if (r.body !== undefined) req.write(r.body)
    req.end()
  })

export interface CallOptions {
  readonly service: string
  readonly version: string
  readonly action: string
  readonly params?: Record<string, unknown>
  readonly region?: string | undefined
  readonly method?: "GET" | "POST"
  readonly signMethod?: Signer.SignatureMethod
  readonly credential?: Credential | undefined
  /** Host header; default `<service>.tencentcloudapi.com`. */
  readonly host?: string
  /** Seconds; default the emulator's clock. */
  readonly timestamp?: number
  readonly headers?: Record<string, string>
  readonly skipSign?: boolean
  readonly body?: Signer.RequestBody
  /** Change the signed request before sending (tampering). */
  readonly tamper?: (r: Signer.SignedRequest) => Signer.SignedRequest
}

/** Sign with the core Signer and send. */
export const call = (emu: EmulatorHandle, o: CallOptions): Promise<RawResponse> => {
  const host = o.host ?? `${o.service}.tencentcloudapi.com`
  const ts = o.timestamp ?? Math.floor(emu.now() / 1000)
  const req: Signer.UnsignedRequest = {
    method: o.method ?? "POST",
    scheme: "http",
    host,
    service: o.service,
    version: o.version,
    action: o.action,
    region: o.region,
    params: o.params ?? {},
    headers: o.headers,
    skipSign: o.skipSign,
    body: o.body
  }
  const cred = o.credential ?? demoCredential
  const sm = o.signMethod ?? "TC3-HMAC-SHA256"
  let signed = sm === "TC3-HMAC-SHA256" || o.skipSign ? Signer.signTc3(req, o.skipSign ? undefined : cred, ts) : Signer.signV1(sm, req, cred, ts, 12345)
  if (o.tamper) signed = o.tamper(signed)
  const u = new URL(signed.url)
  return send(emu, { method: signed.method, path: u.pathname + u.search, headers: signed.headers, body: signed.body })
}

/** The `Response` object, or throw with the body. */
export const ok = (r: RawResponse): any => {
  if (r.status !== 200 || r.json?.Response === undefined || r.json.Response.Error !== undefined) {
    throw new Error(`expected success, got ${r.status}: ${r.text.slice(0, 500)}`)
  }
  return r.json.Response
}

/** The error code of an envelope. */
export const code = (r: RawResponse): string | undefined => r.json?.Response?.Error?.Code

/** Why `v` does not fit the output shape, or undefined. */
export const check = (s: Shape, v: unknown, at: string, depth = 0): string | undefined => {
  if (depth > 40) return undefined
  switch (s._tag) {
    case "String":
      return typeof v === "string" ? undefined : `${at}: expected string`
    case "Int":
      return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint" ? (s.unsigned && (v as number) < 0 ? `${at}: negative uint64` : undefined) : `${at}: expected integer`
    case "Float":
      return typeof v === "number" ? undefined : `${at}: expected number`
    case "Boolean":
      return typeof v === "boolean" ? undefined : `${at}: expected boolean`
    case "Array":
      if (!Array.isArray(v)) return `${at}: expected list`
      for (let i = 0; i < v.length; i++) {
        const r = check(s.item, v[i], `${at}.${i}`, depth + 1)
        if (r) return r
      }
      return undefined
    case "Struct": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return `${at}: expected object`
      const o = v as Record<string, unknown>
      for (const f of s.fields) {
        if (f.name === "RequestId" && depth === 0) continue
        if (!(f.name in o)) {
          if (!f.optional) return `${at}.${f.name}: required member missing`
          continue
        }
        if (o[f.name] === null) {
          if (!f.nullable) return `${at}.${f.name}: null not allowed`
          continue
        }
        const r = check(f.shape, o[f.name], `${at}.${f.name}`, depth + 1)
        if (r) return r
      }
      for (const k of Object.keys(o)) if (!s.byName.has(k)) return `${at}.${k}: not in the spec`
      return undefined
    }
    default:
      return undefined
  }
}

