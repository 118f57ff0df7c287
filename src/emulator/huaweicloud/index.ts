/**
 * Huawei Cloud in the emulator. Requests whose Host is `<service>[.<region>].myhuaweicloud.com`
 * (any port: the Host sent is the Host signed) and the ECS metadata service's paths
 * (`/openstack/latest/...`, `/meta-data/latest/api/token`, on any Host) are answered here: APIG AK/SK signatures checked (stale `X-Sdk-Date`,
 * unknown keys, temporary keys without their token, tampered requests refused with
 * `{error_code, error_msg}` and `X-Request-Id`), IAM project/domain discovery and federation,
 * state for VPC and ECS, the metadata endpoint for temporary keys, and the shared fault rules.
 *
 * The CLI's key pair is also a valid AK/SK.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import type * as http from "node:http"
import { resetSocket, sendAnswer } from "../delivery.js"
import type { Fault } from "../faults.js"
import type { EmulatorContext, ProtocolFactory, ProtocolHandler } from "../protocol.js"
import type { Route } from "./routes.js"
import { findRoute } from "./table.js"
import { fail, HuaweiWorld, type HwAnswer } from "./state.js"
import { checkSignature, parseAuthorization, sdkDate } from "./verify.js"

const DOMAIN = ".myhuaweicloud.com"
const BODY_LIMIT = 16 * 1024 * 1024
/** Lifetime of temporary keys served by the metadata endpoint. */
export const METADATA_KEY_SECONDS = 2 * 3600

const METADATA_PATHS: ReadonlyArray<string> = ["/openstack/latest/", "/meta-data/latest/api/token"]
const isMetadataPath = (url: string): boolean => METADATA_PATHS.some((p) => url.startsWith(p))

/** `service` and `region` of a Host without port, or undefined when it is not Huawei's. */
export const parseHost = (hostname: string): { readonly service: string; readonly region: string | undefined } | undefined => {
  if (!hostname.endsWith(DOMAIN)) return undefined
  const parts = hostname.slice(0, -DOMAIN.length).split(".")
  if (parts.length === 1 && parts[0] !== "") return { service: parts[0], region: undefined }
  if (parts.length === 2 && parts[0] !== "" && parts[1] !== "") return { service: parts[0], region: parts[1] }
  return undefined
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name]
  return v === undefined ? undefined : Array.isArray(v) ? v[0] : v
}

const faultStatus = (code: string): number =>
  code.startsWith("RequestLimitExceeded") || code.includes(".0308") || code === "TooManyRequests"
    ? 429
    : code === "ServiceUnavailable" || code.endsWith(".0503")
      ? 503
      : code === "InternalError" || code.endsWith(".0500")
        ? 500
        : 400

/** The Huawei Cloud protocol handler. */
export const huaweiCloud: ProtocolFactory = (ctx: EmulatorContext): ProtocolHandler => {
  const world = new HuaweiWorld(ctx.seed, ctx.now)

  const matches = (hostname: string, req: http.IncomingMessage): boolean =>
    // the metadata service is claimed by its paths only: other clouds' metadata servers share 169.254.169.254
    parseHost(hostname) !== undefined || isMetadataPath(req.url ?? "")
  const routing = { host: (hostname: string) => parseHost(hostname) !== undefined, paths: METADATA_PATHS }

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("error", () => {})
    res.on("error", () => {})
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size <= BODY_LIMIT) chunks.push(c)
    })
    req.on("end", () => {
      const requestId = randomUUID().replace(/-/g, "")
      const x = new Exchange(req, res, Buffer.concat(chunks), requestId, ctx)
      try {
        if (size > BODY_LIMIT) return x.send(fail(413, "APIGW.0201", `The request body exceeds ${BODY_LIMIT} bytes.`, requestId))
        dispatch(x)
      } catch (e) {
        x.send(fail(500, "SYS.0500", `The emulator failed on this request: ${e instanceof Error ? e.message : String(e)}`, requestId))
      }
    })
  }

  const dispatch = (x: Exchange) => {
    const { req } = x
    const url = req.url ?? "/"
    const q = url.indexOf("?")
    const rawPath = q < 0 ? url : url.slice(0, q)
    const rawQuery = q < 0 ? "" : url.slice(q + 1)
    const target = parseHost(x.hostname)
    const method = (req.method ?? "GET").toUpperCase()
    if (target === undefined) return withFaults(x, "metadata", undefined, rawPath, () => metadata(x, method, rawPath))
    x.service = target.service
    x.region = target.region
    const found = findRoute(target.service, method, rawPath)
    if (!("route" in found)) {
      return x.send(
        found.methodNotAllowed
          ? fail(405, "APIGW.0105", `The method ${method} is not allowed on ${rawPath}.`, x.requestId)
          : fail(404, "APIGW.0101", `The API does not exist or has not been published in the environment: ${method} ${target.service} ${rawPath}.`, x.requestId)
      )
    }
    const { route, params } = found
    x.action = route.action
    withFaults(x, route.service, route.action, rawPath, () => {
      if (!route.anonymous) {
        const refused = authenticate(x, rawPath, rawQuery)
        if (refused !== undefined) return x.send(refused)
        const wrongProject = projectCheck(x, route, params)
        if (wrongProject !== undefined) return x.send(wrongProject)
      }
      return x.send(route.handle({ req, world, params, query: new URLSearchParams(rawQuery), body: x.body, requestId: x.requestId, region: x.region }))
    })
  }

  const withFaults = (x: Exchange, service: string, action: string | undefined, _path: string, go: () => void) => {
    const decision = ctx.faults.decide({ service, action, region: x.region, host: x.hostname })
    x.fired = decision.fired
    const fault = decision.fault
    x.fault = fault?.kind
    const run = () => {
      if (fault?.kind === "reset") return x.reset()
      if (fault?.kind === "http") {
        return x.send({ status: fault.status, bytes: Buffer.from(fault.body ?? `<html><body><h1>${fault.status}</h1></body></html>`), contentType: "text/html" })
      }
      if (fault?.kind === "error") return x.send(fail(faultStatus(fault.code), fault.code, fault.message ?? `Injected fault: ${fault.code}.`, x.requestId))
      x.pending = fault
      go()
    }
    if (decision.latencyMs > 0) setTimeout(run, decision.latencyMs)
    else run()
  }

  const authenticate = (x: Exchange, rawPath: string, rawQuery: string): HwAnswer | undefined => {
    const refuse = (msg: string) => fail(401, "APIGW.0301", `Incorrect IAM authentication information: ${msg}`, x.requestId)
    const auth = parseAuthorization(header(x.req, "authorization"))
    if ("refused" in auth) return refuse(auth.refused)
    x.signatureMethod = auth.algorithm
    x.secretId = auth.accessKey
    const date = sdkDate(header(x.req, "x-sdk-date"))
    if (date === undefined) return refuse("the X-Sdk-Date header is missing or not YYYYMMDDTHHMMSSZ.")
    const skew = Math.round((date - ctx.now()) / 1000)
    if (Math.abs(skew) > ctx.maxSkewSeconds) {
      return refuse(`ak/sk signature expired: X-Sdk-Date is ${Math.abs(skew)} s ${skew < 0 ? "behind" : "ahead of"} the server time (allowed ${ctx.maxSkewSeconds} s). Check the client clock.`)
    }
    let secret = ctx.keys.get(auth.accessKey)
    let token: string | undefined
    if (secret === undefined) {
      const hw = world.temporary.get(auth.accessKey)
      const tc = hw === undefined ? ctx.state.temporary(auth.accessKey) : undefined
      const t = hw !== undefined ? { secret: hw.secret, token: hw.token, expiresAt: hw.expiresAt } : tc !== undefined ? { secret: tc.secretKey, token: tc.token, expiresAt: tc.expiresAt } : undefined
      if (t === undefined) return refuse(`the access key ${auth.accessKey} does not exist.`)
      if (t.expiresAt <= ctx.now()) return refuse(`the temporary access key ${auth.accessKey} expired at ${new Date(t.expiresAt).toISOString()}.`)
      secret = t.secret
      token = t.token
    }
    const sent = header(x.req, "x-security-token")
    if (token !== undefined && sent !== token) return refuse(sent === undefined ? "a temporary access key needs its X-Security-Token." : "the X-Security-Token does not belong to this access key.")
    const bad = checkSignature(x.req, rawPath, rawQuery, x.body, auth, secret)
    return bad === undefined ? undefined : refuse(bad.refused)
  }

  const projectCheck = (x: Exchange, route: Route, params: Readonly<Record<string, string>>): HwAnswer | undefined => {
    const sent = header(x.req, "x-project-id")
    const inPath = params.project_id
    if (inPath === undefined) return undefined
    if (sent !== undefined && sent !== inPath) return fail(403, "APIGW.0302", `X-Project-Id ${sent} does not match the project ${inPath} in the path.`, x.requestId)
    const region = world.regionOfProject(inPath)
    if (region === undefined || (x.region !== undefined && region !== x.region)) {
      return fail(403, "APIGW.0302", `The project ${inPath} is not a project of region ${x.region ?? "(global)"} (${route.service}).`, x.requestId)
    }
    return undefined
  }

  const metadata = (x: Exchange, method: string, path: string) => {
    x.service = "metadata"
    if (method === "PUT" && path === "/meta-data/latest/api/token") {
      x.action = "CreateMetadataToken"
      const ttl = Number(header(x.req, "x-metadata-token-ttl-seconds") ?? "")
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return x.send(fail(400, "METADATA.0001", "X-Metadata-Token-Ttl-Seconds must be within [1, 21600].", x.requestId))
      const token = `md-${world.nextId("metadata")}`
      world.metadataTokens.add(token)
      return x.send({ status: 200, bytes: Buffer.from(token), contentType: "text/plain" })
    }
    if (method === "GET" && path === "/openstack/latest/securitykey") {
      x.action = "ShowSecurityKey"
      const token = header(x.req, "x-metadata-token")
      if (token !== undefined && !world.metadataTokens.has(token)) return x.send(fail(401, "METADATA.0401", "The metadata token is invalid.", x.requestId))
      return x.send({ status: 200, body: world.credentialDocument(world.issueTemporary(METADATA_KEY_SECONDS, "metadata")) })
    }
    return x.send(fail(404, "METADATA.0404", `No metadata at ${method} ${path}.`, x.requestId))
  }

  return { name: "huaweicloud", matches, routing, handle, reset: () => world.reset() }
}

/** One request: what is known about it, and how to answer (faults applied, request recorded). */
class Exchange {
  readonly hostname: string
  readonly host: string
  readonly time: number
  readonly seq: number
  service: string | undefined
  region: string | undefined
  action: string | undefined
  signatureMethod: string | undefined
  secretId: string | undefined
  fired: ReadonlyArray<string> = []
  fault: string | undefined
  /** The fault that shapes the answer's delivery. */
  pending: Fault | undefined
  private done = false

  constructor(
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    readonly body: Buffer,
    readonly requestId: string,
    private readonly ctx: EmulatorContext
  ) {
    this.host = header(req, "host") ?? ""
    this.hostname = this.host.replace(/:\d+$/, "").toLowerCase()
    this.time = ctx.now()
    this.seq = ctx.recorder.nextSeq()
  }

  private record(status: number, a: HwAnswer | undefined) {
    if (this.done) return
    this.done = true
    const url = this.req.url ?? "/"
    const q = url.indexOf("?")
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(this.req.headers)) {
      if (v === undefined) continue
      headers[k] = /^(authorization|x-security-token|x-auth-token|x-metadata-token|x-subject-token)$/.test(k) ? "<redacted>" : Array.isArray(v) ? v.join(", ") : v
    }
    this.ctx.recorder.push({
      seq: this.seq, time: this.time, method: this.req.method ?? "", host: this.host,
      path: q < 0 ? url : url.slice(0, q), query: q < 0 ? "" : url.slice(q + 1), headers,
      service: this.service, version: undefined, action: this.action, region: this.region,
      signatureMethod: this.signatureMethod, secretId: this.secretId, params: undefined, bodyBytes: this.body.length,
      response: { status, code: a?.code, message: a?.message, requestId: a === undefined ? undefined : this.requestId },
      faults: this.fired, fault: this.fault
    })
  }

  reset(): void {
    this.record(0, undefined)
    resetSocket(this.req.socket)
  }

  send(a: HwAnswer): void {
    const { res } = this
    if (res.destroyed || res.headersSent) return this.record(0, a)
    const bytes = a.bytes ?? (a.body === undefined ? EMPTY : JSON.stringify(a.body))
    const headers: Record<string, string | number> = { "X-Request-Id": this.requestId, ...a.headers }
    if (bytes.length > 0 || a.body !== undefined) headers["Content-Type"] = a.contentType ?? "application/json;charset=UTF-8"
    this.record(a.status, a)
    sendAnswer(res, a.status, headers, bytes, this.pending)
  }
}

const EMPTY = Buffer.alloc(0)
