/**
 * The emulator's HTTP server: plain `node:http`, one port for every service.
 *
 * Per request (synchronous once a service version's spec is loaded):
 * 1. read the body within the cloud's size limits (GET 32 KB, v1 POST 1 MB, TC3 10 MB);
 * 2. work out the protocol (TC3 header signature, `Authorization: SKIP`, or v1 parameters), the
 *    service (`X-TC-Service` header, then `<service>[.<region>].<root>` Host, then the TC3
 *    credential scope, then the configured default), action, version and region;
 * 3. decide faults for that target;
 * 4. verify the signature from the raw request (exact Host, raw query, body bytes, Content-Type),
 *    the timestamp window, the SecretId, and the token of temporary credentials;
 * 5. look the action up, decode and validate the parameters against the spec;
 * 6. answer from the stateful core set or with generated spec-shaped data, in the envelope.
 *
 * @internal
 */
import { randomUUID, timingSafeEqual } from "node:crypto"
import * as http from "node:http"
import type * as net from "node:net"
import * as Json from "../Json.js"
import {
  EMPTY_PAYLOAD_HASH,
  makeKeyCache,
  sha256Hex,
  tc3CanonicalRequest,
  tc3Signature,
  tc3StringToSign,
  UNSIGNED_PAYLOAD_HASH,
  utcDate,
  v1Signature,
  v1StringToSign
} from "../Signer.js"
import type { ActionCatalog, ActionDef, Lookup } from "./catalog.js"
import type { Fault, FaultRules } from "./faults.js"
import { complete, hash32, response as generateResponse, Rng } from "./generate.js"
import { FULL_PARAMS_LIMIT, type RecordedRequest, type Recorder, redactHeaders, redactParams, redactQuery, truncateParams } from "./recorder.js"
import { ApiFailure, type State } from "./state/index.js"
import { type FlatValue, type Invalid, unflatten, validate } from "./validate.js"
import type { ProtocolHandler } from "./protocol.js"
import { ANY } from "./shape.js"
import { own } from "./own.js"

/** The actions whose body is bytes (`application/octet-stream`); every other TC3 POST is JSON or multipart. */
const OCTET_STREAM_ACTIONS: ReadonlySet<string> = new Set(["cls.UploadLog"])

/** `X-CLS-*` header names of octet-stream uploads (cls UploadLog) → request members. */
const CLS_HEADER_MEMBERS: Readonly<Record<string, string>> = { topicid: "TopicId", hashkey: "HashKey", compresstype: "CompressType" }

/** Everything the server needs, built by the public module. */
export interface ServerConfig {
  /** SecretId → SecretKey of the long-term keys. */
  readonly keys: Map<string, string>
  /** Root domains for `<service>[.<region>].<root>` Host names, lower-case. */
  readonly rootDomains: ReadonlyArray<string>
  readonly defaultService: string | undefined
  readonly catalog: ActionCatalog
  readonly now: () => number
  readonly seed: number
  readonly maxSkewSeconds: number
  readonly state: State
  readonly faults: FaultRules
  readonly recorder: Recorder
  /** `service.Action` pairs accepted with `Authorization: SKIP`. */
  readonly unsignedActions: ReadonlySet<string>
  /** Called after each answer (the CLI's access log). */
  readonly onAnswer?: ((r: RecordedRequest) => void) | undefined
  /** Handlers of the other protocols, asked first (see `protocol.ts`). */
  readonly protocols?: ReadonlyArray<ProtocolHandler> | undefined
}

const KB = 1024
const GET_LIMIT = 32 * KB
const V1_POST_LIMIT = 1024 * KB
const TC3_LIMIT = 10 * 1024 * KB
/** Large enough for a GET at the 32 KB limit (and a bit more, to answer it in the cloud's format). */
export const MAX_HEADER_SIZE = 64 * KB

const V1_COMMON = new Set(["Action", "Version", "Timestamp", "Nonce", "SecretId", "Signature", "SignatureMethod", "Region", "Token", "Language", "RequestClient"])

/** An answer before faults shape its delivery. */
interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  readonly code?: string | undefined
  readonly message?: string | undefined
}

/** What is known of the request; filled as processing proceeds, then recorded. */
interface Exchange {
  readonly seq: number
  readonly time: number
  readonly req: http.IncomingMessage
  readonly res: http.ServerResponse
  readonly body: Buffer
  readonly requestId: string
  readonly host: string
  readonly hostname: string
  readonly path: string
  readonly rawQuery: string
  readonly contentType: string
  service: string | undefined
  hostRegion: string | undefined
  region: string | undefined
  action: string | undefined
  version: string | undefined
  signatureMethod: string | undefined
  secretId: string | undefined
  params: unknown
  fired: ReadonlyArray<string>
  fault: string | undefined
  done: boolean
}

/** A recorded exchange; redacted views are computed when first read (off the hot path). */
class Recorded implements RecordedRequest {
  readonly seq: number
  readonly time: number
  readonly method: string
  readonly host: string
  readonly path: string
  readonly service: string | undefined
  readonly version: string | undefined
  readonly action: string | undefined
  readonly region: string | undefined
  readonly signatureMethod: string | undefined
  readonly secretId: string | undefined
  readonly bodyBytes: number
  readonly response: RecordedRequest["response"]
  readonly faults: ReadonlyArray<string>
  readonly fault: string | undefined
  /** What this entry holds, estimated (the log is bounded by it). */
  readonly approxBytes: number
  private readonly rawQuery: string
  private readonly rawHeaders: http.IncomingHttpHeaders
  private readonly rawParams: unknown
  private cache: { query?: string; headers?: Readonly<Record<string, string>>; params?: unknown } = {}

  constructor(x: Exchange, status: number, a: Answer | undefined) {
    this.seq = x.seq
    this.time = x.time
    this.method = x.req.method ?? ""
    this.host = x.host
    this.path = x.path
    this.service = x.service
    this.version = x.version
    this.action = x.action
    this.region = x.region
    this.signatureMethod = x.signatureMethod
    this.secretId = x.secretId
    this.bodyBytes = x.body.length
    this.response = { status, code: a?.code, message: a?.message, requestId: a === undefined ? undefined : x.requestId }
    this.faults = x.fired
    this.fault = x.fault
    this.rawQuery = x.rawQuery
    this.rawHeaders = x.req.headers
    let paramBytes = x.body.length
    if (x.body.length > FULL_PARAMS_LIMIT && x.params !== undefined) {
      // a large request keeps a small truncated copy of its parameters, not the decoded whole
      const t = truncateParams(x.params)
      this.rawParams = t.value
      paramBytes = t.bytes
    } else this.rawParams = x.params
    let headerBytes = 0
    for (const k in x.req.headers) headerBytes += k.length + String(x.req.headers[k]).length
    this.approxBytes = 512 + 2 * (x.rawQuery.length + x.host.length + x.path.length + headerBytes) + paramBytes
  }

  get query(): string {
    return (this.cache.query ??= redactQuery(this.rawQuery))
  }
  get headers(): Readonly<Record<string, string>> {
    return (this.cache.headers ??= redactHeaders(this.rawHeaders as Record<string, string | Array<string> | undefined>))
  }
  get params(): unknown {
    if (!("params" in this.cache)) this.cache.params = this.rawParams === undefined ? undefined : redactParams(this.rawParams)
    return this.cache.params
  }
  toJSON() {
    const { rawQuery: _q, rawHeaders: _h, rawParams: _p, cache: _c, approxBytes: _b, ...rest } = this
    return { ...rest, query: this.query, headers: this.headers, params: this.params }
  }
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name]
  return v === undefined ? undefined : Array.isArray(v) ? v.join(", ") : v
}

const errorBody = (code: string, message: string, requestId: string): string =>
  `{"Response":{"Error":{"Code":${JSON.stringify(code)},"Message":${JSON.stringify(message)}},"RequestId":"${requestId}"}}`

const apiError = (code: string, message: string, requestId: string): Answer => ({
  status: 200,
  contentType: "application/json",
  body: errorBody(code, message, requestId),
  code,
  message
})

const htmlPage = (status: number): string => {
  const title = `${status} ${http.STATUS_CODES[status] ?? "Error"}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

/** Decode `k=v&...` (form encoding: `+` is a space). `undefined` on bad percent-encoding. */
export const decodePairs = (s: string): Array<[string, string]> | undefined => {
  const out: Array<[string, string]> = []
  if (s === "") return out
  try {
    for (const part of s.split("&")) {
      if (part === "") continue
      const i = part.indexOf("=")
      const k = i < 0 ? part : part.slice(0, i)
      const v = i < 0 ? "" : part.slice(i + 1)
      out.push([decodeURIComponent(k.replace(/\+/g, " ")), decodeURIComponent(v.replace(/\+/g, " "))])
    }
  } catch {
    return undefined
  }
  return out
}

/** Parse a multipart body into flattened pairs; a string describes what is wrong. */
export const parseMultipart = (body: Buffer, contentType: string): Array<[string, FlatValue]> | string => {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  if (m === null) return "the multipart Content-Type has no boundary"
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`)
  const out: Array<[string, FlatValue]> = []
  let pos = body.indexOf(delimiter)
  if (pos < 0) return "the multipart body does not contain its boundary"
  for (;;) {
    pos += delimiter.length
    if (body[pos] === 45 && body[pos + 1] === 45) return out // closing "--"
    if (body[pos] === 13 && body[pos + 1] === 10) pos += 2
    const headEnd = body.indexOf("\r\n\r\n", pos)
    if (headEnd < 0) return "a multipart part has no header end"
    const head = body.subarray(pos, headEnd).toString("utf8")
    const next = body.indexOf(delimiter, headEnd + 4)
    if (next < 0) return "the multipart body is not terminated by its closing boundary"
    let end = next
    if (body[end - 2] === 13 && body[end - 1] === 10) end -= 2
    const content = body.subarray(headEnd + 4, end)
    const name = /name="([^"]*)"/i.exec(head)?.[1]
    if (name === undefined) return "a multipart part has no name"
    const ctype = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1]?.trim().toLowerCase()
    if (/filename=/i.test(head) || ctype === "application/octet-stream") out.push([name, { bytes: new Uint8Array(content) }])
    else if (ctype === "application/json") {
      try {
        out.push([name, { json: Json.parse(content.toString("utf8")) }])
      } catch {
        return `the multipart part \`${name}\` is not valid JSON`
      }
    } else out.push([name, content.toString("utf8")])
    pos = next
  }
}

const hexEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  return timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

const TC3_AUTH = /^TC3-HMAC-SHA256\s+Credential=([^/,\s]+)\/([^/,\s]+)\/([^/,\s]+)\/tc3_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/
const VERSION = /^\d{4}-\d{2}-\d{2}$/
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/
const INTEGER = /^\d{1,12}$/

/** Build the request handler and the `clientError` handler of a server. */
export const makeHandlers = (cfg: ServerConfig) => {
  const keyCache = makeKeyCache(1024)
  const roots = cfg.rootDomains.map((r) => "." + r.toLowerCase().replace(/^\.+/, ""))

  /** `<service>.<root>` or `<service>.<region>.<root>`. */
  const fromHost = (hostname: string): { service: string; region: string | undefined } | undefined => {
    for (const root of roots) {
      if (hostname.length > root.length && hostname.endsWith(root)) {
        const labels = hostname.slice(0, hostname.length - root.length).split(".")
        if (labels.length === 1) return { service: labels[0], region: undefined }
        if (labels.length === 2) return { service: labels[0], region: labels[1] }
      }
    }
    return undefined
  }

  // ------------------------------------------------------------------------------------------
  // delivery
  // ------------------------------------------------------------------------------------------

  const record = (x: Exchange, status: number, a: Answer | undefined) => {
    if (x.done) return
    x.done = true
    if (cfg.recorder.capacity <= 0 && cfg.onAnswer === undefined) return
    const rec = new Recorded(x, status, a)
    cfg.recorder.push(rec)
    cfg.onAnswer?.(rec)
  }

  const reset = (socket: net.Socket) => {
    if (typeof socket.resetAndDestroy === "function") socket.resetAndDestroy()
    else socket.destroy()
  }

  const deliver = (x: Exchange, a: Answer, fault: Fault | undefined) => {
    const { res } = x
    if (res.destroyed || res.headersSent) return record(x, 0, a)
    const traceId = header(x.req, "x-tc-traceid")
    let contentType = a.contentType
    let bytes = Buffer.from(a.body, "utf8")
    const headers: Record<string, string | number> = { "Content-Type": contentType }
    if (traceId !== undefined) headers["X-TC-TraceId"] = traceId
    if (fault?.kind === "truncate") bytes = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)))
    if (fault?.kind === "contentType") headers["Content-Type"] = contentType = fault.contentType ?? "text/html; charset=utf-8"
    headers["Content-Length"] = bytes.length
    record(x, a.status, a)
    if (fault?.kind === "resetMidBody") {
      res.writeHead(a.status, headers)
      res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => setTimeout(() => reset(x.req.socket), 5))
      return
    }
    if (fault?.kind === "slowBody" && bytes.length > 1) {
      res.writeHead(a.status, headers)
      const pieces = Math.min(10, bytes.length)
      const step = Math.ceil(bytes.length / pieces)
      const interval = fault.ms / pieces
      let i = 0
      const tick = () => {
        if (res.destroyed) return
        const chunk = bytes.subarray(i * step, (i + 1) * step)
        i++
        if (i >= pieces || (i * step) >= bytes.length) res.end(chunk)
        else {
          res.write(chunk)
          setTimeout(tick, interval)
        }
      }
      setTimeout(tick, interval)
      return
    }
    res.writeHead(a.status, headers)
    res.end(bytes)
  }

  // ------------------------------------------------------------------------------------------
  // authentication
  // ------------------------------------------------------------------------------------------

  /** Check timestamp, SecretId and (for temporary keys) expiry; the secret key or a failure. */
  const credential = (x: Exchange, secretId: string, timestamp: string | undefined): { key: string; token: string | undefined } | Answer => {
    if (timestamp === undefined || timestamp === "") return apiError("MissingParameter", "The request is missing a required parameter `Timestamp` (X-TC-Timestamp).", x.requestId)
    if (!INTEGER.test(timestamp)) return apiError("InvalidParameter", `The parameter \`Timestamp\` must be a Unix time in seconds; got ${JSON.stringify(timestamp)}.`, x.requestId)
    const now = cfg.now()
    const skew = Number(timestamp) - Math.floor(now / 1000)
    if (Math.abs(skew) > cfg.maxSkewSeconds) {
      return apiError(
        "AuthFailure.SignatureExpire",
        `The request timestamp ${timestamp} is ${Math.abs(skew)} s ${skew < 0 ? "behind" : "ahead of"} the server time ${Math.floor(now / 1000)}; it must be within ${cfg.maxSkewSeconds} s. Check the client clock.`,
        x.requestId
      )
    }
    const key = cfg.keys.get(secretId)
    if (key !== undefined) return { key, token: undefined }
    const temp = cfg.state.temporary(secretId)
    if (temp === undefined) {
      return apiError("AuthFailure.SecretIdNotFound", `The SecretId \`${secretId}\` is not known to this emulator; use one of its configured keys or a temporary key it issued.`, x.requestId)
    }
    if (temp.expiresAt <= now) {
      return apiError("AuthFailure.TokenFailure", `The temporary credential \`${secretId}\` expired at ${new Date(temp.expiresAt).toISOString()}; get a new one.`, x.requestId)
    }
    return { key: temp.secretKey, token: temp.token }
  }

  const tokenCheck = (x: Exchange, expected: string | undefined, given: string | undefined): Answer | undefined => {
    if (expected === undefined) return undefined
    if (given === undefined || given === "") return apiError("AuthFailure.TokenFailure", "A temporary SecretId was used without its token (X-TC-Token / Token).", x.requestId)
    if (given !== expected) return apiError("AuthFailure.TokenFailure", "The token does not belong to this temporary SecretId.", x.requestId)
    return undefined
  }

  const verifyTc3 = (x: Exchange, authorization: string | undefined): Answer | undefined => {
    const req = x.req
    if (authorization === undefined || authorization === "") {
      return apiError("AuthFailure.InvalidAuthorization", "The request has no Authorization header; sign it with TC3-HMAC-SHA256.", x.requestId)
    }
    if (authorization === "SKIP") {
      x.signatureMethod = "SKIP"
      if (x.service !== undefined && x.action !== undefined && cfg.unsignedActions.has(`${x.service}.${x.action}`)) return undefined
      return apiError("AuthFailure.InvalidAuthorization", `\`Authorization: SKIP\` is accepted only for unsigned actions (${[...cfg.unsignedActions].join(", ")}); sign this request.`, x.requestId)
    }
    x.signatureMethod = "TC3-HMAC-SHA256"
    const m = TC3_AUTH.exec(authorization)
    if (m === null) {
      return apiError(
        "AuthFailure.InvalidAuthorization",
        "The Authorization header is malformed; expected `TC3-HMAC-SHA256 Credential=<SecretId>/<YYYY-MM-DD>/<service>/tc3_request, SignedHeaders=content-type;host, Signature=<64 hex>`.",
        x.requestId
      )
    }
    const [, secretId, date, scopeService, signedHeaders, signature] = m
    x.secretId = secretId
    const timestamp = header(req, "x-tc-timestamp")
    const cred = credential(x, secretId, timestamp)
    if ("status" in cred) return cred
    if (scopeService !== x.service) {
      return apiError("AuthFailure.InvalidAuthorization", `The credential scope names the service \`${scopeService}\`, but this request is for \`${x.service}\`.`, x.requestId)
    }
    const ts = Number(timestamp)
    if (date !== utcDate(ts)) {
      return apiError("AuthFailure.SignatureFailure", `The credential scope date ${date} is not the UTC date of the timestamp ${ts} (${utcDate(ts)}).`, x.requestId)
    }
    const names = signedHeaders.toLowerCase().split(";")
    if (!names.includes("content-type") || !names.includes("host")) {
      return apiError("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host.", x.requestId)
    }
    const unsigned = header(req, "x-tc-content-sha256") === "UNSIGNED-PAYLOAD"
    const payloadHash = unsigned ? UNSIGNED_PAYLOAD_HASH : x.body.length === 0 ? EMPTY_PAYLOAD_HASH : sha256Hex(x.body)
    const canonicalFor = (host: string): string => {
      if (names.length === 2 && names[0] === "content-type" && names[1] === "host") {
        return tc3CanonicalRequest({
          method: req.method ?? "",
          path: x.path,
          canonicalQuery: x.rawQuery,
          contentType: x.contentType.trim().toLowerCase(),
          host,
          payloadHash
        })
      }
      // the documented general form: any signed headers, `name:value` lower-cased and trimmed
      let ch = ""
      for (const n of names) ch += `${n}:${n === "host" ? host : (header(req, n) ?? "").trim().toLowerCase()}\n`
      return `${(req.method ?? "").toUpperCase()}\n${x.path}\n${x.rawQuery}\n${ch}\n${names.join(";")}\n${payloadHash}`
    }
    const key = keyCache.get(secretId, cred.key, date, scopeService)
    const given = signature.toLowerCase()
    const sentHost = x.host.trim().toLowerCase()
    let canonical = canonicalFor(sentHost)
    let matches = hexEqual(tc3Signature(key, tc3StringToSign(ts, scopeService, canonical)), given)
    // The official SDKs sign the endpoint's host without its port while sending the port in Host
    // (`endpoint: "cvm.tencentcloudapi.com:4599"`). The cloud never sees a port, so accepting the
    // sent Host with its port removed lets existing official-SDK code point at the emulator.
    const portless = sentHost.replace(/:\d+$/, "")
    if (!matches && portless !== sentHost) {
      const alt = canonicalFor(portless)
      if (hexEqual(tc3Signature(key, tc3StringToSign(ts, scopeService, alt)), given)) {
        matches = true
        canonical = alt
      }
    }
    if (!matches) {
      return apiError(
        "AuthFailure.SignatureFailure",
        `The provided credentials could not be validated: the signature does not match. The emulator signed this canonical request: ${JSON.stringify(canonical)}`,
        x.requestId
      )
    }
    return tokenCheck(x, cred.token, header(req, "x-tc-token"))
  }

  const verifyV1 = (x: Exchange, pairs: ReadonlyArray<[string, string]>, common: Map<string, string>): Answer | undefined => {
    const method = common.get("SignatureMethod") ?? "HmacSHA1"
    x.signatureMethod = method
    if (method !== "HmacSHA1" && method !== "HmacSHA256") {
      return apiError("InvalidParameterValue", `The SignatureMethod \`${method}\` is not supported; use HmacSHA256, HmacSHA1 or TC3-HMAC-SHA256.`, x.requestId)
    }
    for (const k of ["SecretId", "Signature", "Nonce"]) {
      if (!common.has(k) || common.get(k) === "") return apiError("MissingParameter", `The request is missing a required parameter \`${k}\`.`, x.requestId)
    }
    if (!INTEGER.test(common.get("Nonce")!)) return apiError("InvalidParameter", "The parameter `Nonce` must be a positive integer.", x.requestId)
    const secretId = common.get("SecretId")!
    x.secretId = secretId
    const cred = credential(x, secretId, common.get("Timestamp"))
    if ("status" in cred) return cred
    const signed = pairs.filter((p) => p[0] !== "Signature")
    const stringToSign = v1StringToSign(x.req.method ?? "", x.host, x.path, signed)
    const expected = v1Signature(method, cred.key, stringToSign)
    const given = common.get("Signature")!
    if (expected.length !== given.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
      return apiError(
        "AuthFailure.SignatureFailure",
        `The provided credentials could not be validated: the signature does not match. The emulator signed this string: ${JSON.stringify(stringToSign.replace(/([?&](Token)=)[^&]*/g, "$1<redacted>"))}`,
        x.requestId
      )
    }
    return tokenCheck(x, cred.token, common.get("Token"))
  }

  // ------------------------------------------------------------------------------------------
  // dispatch
  // ------------------------------------------------------------------------------------------

  const success = (x: Exchange, body: Record<string, unknown>): Answer => {
    body.RequestId = x.requestId
    return { status: 200, contentType: "application/json", body: `{"Response":${Json.stringify(body)}}` }
  }

  const invalid = (x: Exchange, e: Invalid): Answer => apiError(e.code, e.message, x.requestId)

  /** Decode parameters: JSON body, query, form, or multipart, rebuilt with the input shape. */
  const decodeParams = (
    x: Exchange,
    def: ActionDef | undefined,
    flat: ReadonlyArray<[string, FlatValue]> | undefined
  ): { readonly params: Record<string, unknown> } | { readonly answer: Answer } => {
    const shape = def === undefined ? ANY : def.input()
    let params: unknown
    if (flat !== undefined) {
      const r = unflatten(shape, flat)
      if ("invalid" in r) return { answer: invalid(x, r.invalid) }
      params = r.value
    } else {
      const text = x.body.length === 0 ? "{}" : x.body.toString("utf8")
      try {
        params = Json.parse(text)
      } catch (e) {
        return { answer: apiError("InvalidParameter", `The request body is not valid JSON: ${(e as Error).message}`, x.requestId) }
      }
      if (params === null) params = {}
      if (typeof params !== "object" || Array.isArray(params)) {
        return { answer: apiError("InvalidParameter", "The request body must be a JSON object of parameters.", x.requestId) }
      }
    }
    x.params = params
    if (def !== undefined) {
      const bad = validate(shape, params)
      if (bad !== undefined) return { answer: invalid(x, bad) }
    }
    return { params: params as Record<string, unknown> }
  }

  const dispatch = (x: Exchange, lookup: Lookup, flat: ReadonlyArray<[string, FlatValue]> | undefined): Answer => {
    const service = x.service!
    const version = x.version!
    const action = x.action!
    // names from the request: own members only (`constructor` is not an action, nor a service)
    const stateful = own(cfg.state.services, service)
    const handler = stateful !== undefined && stateful.version === version ? own(stateful.handlers, action) : undefined
    let def: ActionDef | undefined
    switch (lookup._tag) {
      case "Found":
        def = lookup.def
        break
      case "NoSuchService":
        if (stateful === undefined) {
          return apiError("NoSuchProduct", `The service \`${service}\` is not known to this emulator (no generated module or spec for it).`, x.requestId)
        }
        if (stateful.version !== version) {
          return apiError("NoSuchVersion", `The API version \`${version}\` of \`${service}\` does not exist; available: ${stateful.version}.`, x.requestId)
        }
        if (handler === undefined) return apiError("InvalidAction", `The action \`${action}\` of \`${service}\` ${version} is not available in this emulator.`, x.requestId)
        break
      case "NoSuchVersion":
        return apiError("NoSuchVersion", `The API version \`${version}\` of \`${service}\` does not exist; available: ${lookup.versions.join(", ")}.`, x.requestId)
      case "NoSuchAction":
        if (handler === undefined) return apiError("InvalidAction", `The action \`${action}\` does not exist in \`${service}\` ${version}.`, x.requestId)
    }
    if (def?.status === "offline") return apiError("ActionOffline", `The action \`${action}\` of \`${service}\` is offline.`, x.requestId)
    if (stateful?.regional && handler !== undefined) {
      if (x.region === undefined || x.region === "") return apiError("MissingParameter", "The request is missing a required parameter `Region` (X-TC-Region).", x.requestId)
      if (!REGION.test(x.region)) return apiError("UnsupportedRegion", `The region \`${x.region}\` is not valid (e.g. ap-guangzhou).`, x.requestId)
    }
    const decoded = decodeParams(x, def, flat)
    if ("answer" in decoded) return decoded.answer
    const p = decoded.params
    if (handler !== undefined) {
      if (p.DryRun === true) return apiError("DryRunOperation", "The request would have succeeded (DryRun).", x.requestId)
      const r = handler({ service, action, region: x.region ?? "", params: p, requestId: x.requestId, now: cfg.now(), secretId: x.secretId })
      if (r instanceof ApiFailure) return apiError(r.code, r.message, x.requestId)
      if (def !== undefined) complete(def.output(), r, new Rng(hash32(x.requestId, cfg.seed)))
      return success(x, r)
    }
    return success(x, generateResponse(def!.output(), `${service}|${version}|${action}`, Json.stringify(p), p, cfg.seed))
  }

  // ------------------------------------------------------------------------------------------
  // the request
  // ------------------------------------------------------------------------------------------

  /** Parse the request far enough to know its target; an answer when it is malformed. */
  const target = (
    x: Exchange
  ): { readonly authorize: () => Answer | undefined; readonly flat: ReadonlyArray<[string, FlatValue]> | undefined } | Answer => {
    const req = x.req
    const method = req.method
    if (method !== "GET" && method !== "POST") {
      return apiError("UnsupportedProtocol", `The HTTP method ${method} is not supported; use POST (recommended) or GET.`, x.requestId)
    }
    if (method === "GET" && (req.url ?? "").length > GET_LIMIT) {
      return apiError("RequestSizeLimitExceeded", `The GET request is ${(req.url ?? "").length} bytes long; the limit is 32 KB. Use POST.`, x.requestId)
    }
    const authorization = header(req, "authorization")
    const ctype = x.contentType.toLowerCase()
    const isForm = ctype.startsWith("application/x-www-form-urlencoded")
    const tc3 =
      authorization !== undefined || header(req, "x-tc-action") !== undefined || (method === "POST" && !isForm)
    const explicit = header(req, "x-tc-service")
    const fromHostName = fromHost(x.hostname)
    x.hostRegion = fromHostName?.region

    if (tc3) {
      x.action = header(req, "x-tc-action")
      x.version = header(req, "x-tc-version")
      x.region = header(req, "x-tc-region") ?? x.hostRegion
      const scope = authorization !== undefined ? TC3_AUTH.exec(authorization)?.[3] : undefined
      x.service = explicit || fromHostName?.service || scope || cfg.defaultService
      let flat: Array<[string, FlatValue]> | undefined
      if (method === "GET") {
        const pairs = decodePairs(x.rawQuery)
        if (pairs === undefined) return apiError("InvalidParameter", "The query string has malformed percent-encoding.", x.requestId)
        flat = pairs
      } else if (ctype.startsWith("multipart/form-data")) {
        const parts = parseMultipart(x.body, x.contentType)
        if (typeof parts === "string") return apiError("InvalidParameter", `The multipart body is malformed: ${parts}.`, x.requestId)
        flat = parts
      } else if (ctype.startsWith("application/octet-stream")) {
        if (!OCTET_STREAM_ACTIONS.has(`${x.service}.${x.action}`)) {
          return apiError("UnsupportedProtocol", `The Content-Type \`application/octet-stream\` is accepted only by upload actions (${[...OCTET_STREAM_ACTIONS].join(", ")}); send this request as \`application/json\`.`, x.requestId)
        }
        // octet-stream uploads (cls UploadLog) carry their members as X-CLS-<Member> headers
        flat = []
        for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]
          if (/^x-cls-/i.test(name)) {
            // header names are case-insensitive: map them back onto the documented member names
            const member = name.slice(6)
            flat.push([own(CLS_HEADER_MEMBERS, member.toLowerCase()) ?? member, req.rawHeaders[i + 1]])
          }
        }
      } else if (isForm) {
        return apiError("UnsupportedProtocol", "A form-encoded POST must be signed with HmacSHA256/HmacSHA1 (v1); TC3 POST bodies are JSON or multipart.", x.requestId)
      } else if (!ctype.startsWith("application/json")) {
        // like the cloud: a TC3 POST body is JSON (text/plain, a missing Content-Type and the rest are refused)
        return apiError(
          "UnsupportedProtocol",
          `The Content-Type ${JSON.stringify(x.contentType)} is not supported for a TC3 POST; send the parameters as \`application/json\` (or \`multipart/form-data\` for file uploads).`,
          x.requestId
        )
      }
      if (x.body.length > TC3_LIMIT) return apiError("RequestSizeLimitExceeded", `The request body is ${x.body.length} bytes; the TC3 limit is 10 MB.`, x.requestId)
      return { authorize: () => verifyTc3(x, authorization), flat }
    }

    // v1: every parameter, common ones included, in the query (GET) or the form body (POST)
    const raw = method === "GET" ? x.rawQuery : x.body.toString("utf8")
    if (method === "POST" && x.body.length > V1_POST_LIMIT) {
      return apiError(
        "AuthFailure.SignatureFailure",
        `The request is ${x.body.length} bytes, exceeding the request size limit (1 MB) of HmacSHA1/HmacSHA256 signatures; please use the TC3-HMAC-SHA256 signature method (limit 10 MB).`,
        x.requestId
      )
    }
    const pairs = decodePairs(raw)
    if (pairs === undefined) return apiError("InvalidParameter", "The parameters have malformed percent-encoding.", x.requestId)
    const common = new Map<string, string>()
    const business: Array<[string, FlatValue]> = []
    for (const p of pairs) {
      if (V1_COMMON.has(p[0])) common.set(p[0], p[1])
      else business.push(p)
    }
    x.action = common.get("Action")
    x.version = common.get("Version")
    x.region = common.get("Region") ?? x.hostRegion
    x.service = explicit || fromHostName?.service || cfg.defaultService
    x.params = undefined
    return { authorize: () => verifyV1(x, pairs, common), flat: business }
  }

  /** After faults: authenticate, look up, validate, answer. */
  const proceed = (x: Exchange, t: { readonly authorize: () => Answer | undefined; readonly flat: ReadonlyArray<[string, FlatValue]> | undefined }, fault: Fault | undefined) => {
    if (x.service === undefined || x.service === "") {
      return deliver(
        x,
        apiError(
          "InvalidRequest",
          `Cannot tell which service this request is for: send it to <service>.<root> (roots: ${cfg.rootDomains.join(", ")}), add the header X-TC-Service, or sign it with TC3 (credential scope).`,
          x.requestId
        ),
        fault
      )
    }
    const denied = t.authorize()
    if (denied !== undefined) return deliver(x, denied, fault)
    if (x.action === undefined || x.action === "") return deliver(x, apiError("MissingParameter", "The request is missing a required parameter `Action` (X-TC-Action).", x.requestId), fault)
    if (x.version === undefined || x.version === "") return deliver(x, apiError("MissingParameter", "The request is missing a required parameter `Version` (X-TC-Version).", x.requestId), fault)
    if (!VERSION.test(x.version)) return deliver(x, apiError("NoSuchVersion", `The API version \`${x.version}\` is not a YYYY-MM-DD version.`, x.requestId), fault)
    const lookup = cfg.catalog.lookup(x.service, x.version, x.action)
    if (lookup instanceof Promise) {
      lookup.then(
        (l) => deliver(x, guarded(x, () => dispatch(x, l, t.flat)), fault),
        (e) => deliver(x, apiError("InternalError", `The emulator could not load the spec of ${x.service} ${x.version}: ${String(e)}`, x.requestId), fault)
      )
      return
    }
    deliver(x, guarded(x, () => dispatch(x, lookup, t.flat)), fault)
  }

  const guarded = (x: Exchange, f: () => Answer): Answer => {
    try {
      return f()
    } catch (e) {
      return apiError("InternalError", `The emulator failed on this request: ${e instanceof Error ? e.message : String(e)}`, x.requestId)
    }
  }

  const handle = (x: Exchange, tooLarge: boolean) => {
    if (tooLarge) {
      const v1 = x.contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")
      return deliver(
        x,
        v1
          ? apiError(
              "AuthFailure.SignatureFailure",
              "The request exceeds the request size limit (1 MB) of HmacSHA1/HmacSHA256 signatures; please use the TC3-HMAC-SHA256 signature method (limit 10 MB).",
              x.requestId
            )
          : apiError("RequestSizeLimitExceeded", "The request body exceeds the TC3 limit of 10 MB.", x.requestId),
        undefined
      )
    }
    const t = guardedTarget(x)
    const decision = cfg.faults.decide({ service: x.service, action: x.action, region: x.region, host: x.hostname })
    x.fired = decision.fired
    const fault = decision.fault
    x.fault = fault?.kind
    const go = () => {
      if (fault?.kind === "reset") {
        record(x, 0, undefined)
        return reset(x.req.socket)
      }
      if (fault?.kind === "http") {
        return deliver(x, { status: fault.status, contentType: "text/html", body: fault.body ?? htmlPage(fault.status) }, undefined)
      }
      if (fault?.kind === "error") {
        return deliver(x, apiError(fault.code, fault.message ?? defaultFaultMessage(fault.code), x.requestId), undefined)
      }
      if ("status" in t) return deliver(x, t, fault)
      proceed(x, t, fault)
    }
    if (decision.latencyMs > 0) {
      const timer = setTimeout(() => safely(x, go), decision.latencyMs)
      // a client that gives up (its timeout) is recorded then, not when the latency would have
      // ended, and no timer outlives it
      x.res.once("close", () => {
        if (x.done) return
        clearTimeout(timer)
        record(x, 0, undefined)
      })
    } else go()
  }

  const guardedTarget = (x: Exchange) => {
    try {
      return target(x)
    } catch (e) {
      return apiError("InternalError", `The emulator failed to parse this request: ${e instanceof Error ? e.message : String(e)}`, x.requestId)
    }
  }

  const safely = (x: Exchange, f: () => void) => {
    try {
      f()
    } catch (e) {
      deliver(x, apiError("InternalError", `The emulator failed on this request: ${e instanceof Error ? e.message : String(e)}`, x.requestId), undefined)
    }
  }

  const protocols = cfg.protocols ?? []
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (protocols.length > 0) {
      const hostname = (header(req, "host") ?? "").replace(/:\d+$/, "").toLowerCase()
      for (const p of protocols) {
        if (p.matches(hostname, req)) return p.handle(req, res)
      }
    }
    const ctype = header(req, "content-type") ?? ""
    const limit = ctype.toLowerCase().startsWith("application/x-www-form-urlencoded") ? V1_POST_LIMIT : TC3_LIMIT
    const chunks: Array<Buffer> = []
    let size = 0
    let tooLarge = false
    req.on("error", () => {})
    res.on("error", () => {})
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
      } else chunks.push(c)
    })
    req.on("end", () => {
      const host = header(req, "host") ?? ""
      const url = req.url ?? "/"
      const q = url.indexOf("?")
      const x: Exchange = {
        seq: cfg.recorder.nextSeq(),
        time: cfg.now(),
        req,
        res,
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        requestId: randomUUID(),
        host,
        hostname: host.replace(/:\d+$/, "").toLowerCase(),
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? "" : url.slice(q + 1),
        contentType: ctype,
        service: undefined,
        hostRegion: undefined,
        region: undefined,
        action: undefined,
        version: undefined,
        signatureMethod: undefined,
        secretId: undefined,
        params: undefined,
        fired: [],
        fault: undefined,
        done: false
      }
      safely(x, () => handle(x, tooLarge))
    })
  }

  /** Malformed HTTP: answer with a status and the envelope when the socket still allows it. */
  const onClientError = (err: Error & { code?: string }, socket: net.Socket) => {
    if (!socket.writable || err.code === "ECONNRESET") {
      socket.destroy()
      return
    }
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400
    const body =
      status === 431
        ? errorBody("RequestSizeLimitExceeded", `The request headers exceed ${MAX_HEADER_SIZE / KB} KB.`, randomUUID())
        : errorBody("InvalidRequest", `Malformed HTTP request (${err.code ?? err.message}).`, randomUUID())
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
    )
  }

  return { onRequest, onClientError }
}

const defaultFaultMessage = (code: string): string =>
  code.startsWith("RequestLimitExceeded")
    ? "Your current request times equals to `20` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."
    : code === "InternalError"
      ? "An internal error has occurred. Retry your request, but if the problem persists, contact us."
      : `Injected fault: ${code}.`
