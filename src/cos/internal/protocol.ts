/**
 * COS as a protocol of the shared engine (`core/Protocol.ts`): `layout` validates the bucket, key
 * and region and picks the host (virtual-host `<bucket>-<appid>.cos.<region>.myqcloud.com`,
 * path-style, accelerate, custom domain, the service host); `sign` adds the `q-sign` Authorization
 * (and `x-cos-security-token` for temporary keys), with the clock corrected by the offset learnt
 * from a skew error; `interpret` reads COS XML error documents into {@link CosError}s.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { RequestValidationError, ResponseParseError, type SdkError } from "../../Errors.js"
import type { CallOverrides } from "../../core/Overrides.js"
import type { Answer, Laid, Outgoing, OutgoingBody, Protocol, Target } from "../../core/Protocol.js"
import { categoryOf, CosError } from "../CosError.js"
import { authorization, isSignable } from "../Signature.js"
import { encode, encodeKey } from "./encode.js"
import * as Xml from "./xml.js"

/** The client's settings that shape every request. */
export interface CosConfig {
  readonly region: string | undefined
  readonly scheme: "https" | "http"
  /** A host template with `{Bucket}`, `{BucketName}`, `{AppId}`, `{Region}` (custom/CDN domains). */
  readonly domain: string | undefined
  readonly pathStyle: boolean
  readonly accelerate: boolean
  readonly timeoutMillis: number
  readonly correctClockSkew: boolean
  /** Validity of a request signature, seconds. */
  readonly signSeconds: number
}

/** The clock offset learnt from the server (ms to add to the local clock). */
export interface Skew {
  offsetMillis: number
}

/** One COS request. */
export interface CosRequest<A> {
  readonly operation: string
  readonly method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD"
  readonly bucket?: string | undefined
  readonly key?: string | undefined
  /** The key may be empty (`""` is the bucket) only when this is false. */
  readonly needsKey?: boolean | undefined
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined
  readonly body?: OutgoingBody
  /** Safe to repeat (default: every method but POST). */
  readonly safe?: boolean | undefined
  readonly region?: string | undefined
  readonly timeoutMillis?: number | undefined
  /** Read a successful answer. */
  readonly read: (answer: Answer, laid: CosLaid) => Either.Either<A, CosError | SdkError>
}

/** A laid-out COS request. */
export interface CosLaid extends Laid {
  readonly req: CosRequest<unknown>
  readonly region: string | undefined
  readonly host: string
  /** The URL path (encoded). */
  readonly path: string
  /** The path as signed (decoded, starting with `/`). */
  readonly signPath: string
  /** Mutable per call: whether the skew correction was used, and the local time of the last signature. */
  readonly state: { skewCorrected: boolean; signedAt: number }
}

const BUCKET = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?-\d{1,20}$/
const REGION = /^[a-z]+(?:-[a-z0-9]+)+$|^(?:cn-south|cn-north|cn-east|cn-southwest|sg)$/
const LEGACY = new Set(["cn-south", "cn-south-2", "cn-north", "cn-east", "cn-southwest", "sg"])

const invalid = (operation: string, field: string, problem: string, fix: string) =>
  RequestValidationError.make({ service: "cos", action: operation, field, problem, fix })

/** Why a bucket name is invalid, or undefined. */
export const checkBucket = (bucket: string): string | undefined =>
  BUCKET.test(bucket) && bucket.length <= 60
    ? undefined
    : `${JSON.stringify(bucket)} is not <name>-<appid> (lower-case letters, digits and '-', e.g. examplebucket-1250000000)`

/** Why an object key is invalid, or undefined. */
export const checkKey = (key: string): string | undefined => {
  if (key === "") return "the key is empty"
  if (key.startsWith("/")) return "the key starts with '/' (COS keys have no leading slash)"
  if (Buffer.byteLength(key, "utf8") > 850) return "the key is longer than 850 bytes in UTF-8"
  if (key.split("/").some((s) => s === "." || s === "..")) return "the key has a '.' or '..' segment, which HTTP stacks normalise away (the server would see another key)"
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return "the key has control characters"
  return undefined
}

const hostOf = (c: CosConfig, bucket: string | undefined, region: string | undefined, endpoint: string | undefined): string => {
  if (bucket === undefined) return endpoint ?? "service.cos.myqcloud.com"
  const dash = bucket.lastIndexOf("-")
  const template = endpoint ?? c.domain
  if (template !== undefined) {
    return template
      .replace(/\{BucketName\}/g, bucket.slice(0, dash))
      .replace(/\{Bucket\}/g, bucket)
      .replace(/\{AppId\}/g, bucket.slice(dash + 1))
      .replace(/\{Region\}/g, region ?? "")
  }
  if (c.accelerate) return `${bucket}.cos.accelerate.myqcloud.com`
  const regional = LEGACY.has(region!) ? `${region}.myqcloud.com` : `cos.${region}.myqcloud.com`
  return c.pathStyle ? regional : `${bucket}.${regional}`
}

/** Lay out one request (pure). */
export const layout = (c: CosConfig) => (req: CosRequest<unknown>, ov: CallOverrides): Either.Either<CosLaid, RequestValidationError> => {
  const op = req.operation
  if (req.bucket !== undefined) {
    const bad = checkBucket(req.bucket)
    if (bad !== undefined) return Either.left(invalid(op, "bucket", bad, "use the full bucket name with its APPID suffix"))
  }
  const key = req.key ?? ""
  if (req.needsKey !== false && req.bucket !== undefined && req.key !== undefined) {
    const bad = checkKey(key)
    if (bad !== undefined) return Either.left(invalid(op, "key", bad, "use a key like photos/2024/cat.jpg"))
  }
  const region = req.region ?? ov.region ?? c.region
  const needsRegion = req.bucket !== undefined && !c.accelerate && (c.domain === undefined || c.domain.includes("{Region}")) && ov.endpoint === undefined
  if (needsRegion && (region === undefined || !REGION.test(region))) {
    return Either.left(invalid(op, "region", region === undefined ? "no region is set" : `${JSON.stringify(region)} is not a COS region`, "set `region` in Cos.layer options or use Client.withRegion (e.g. ap-guangzhou)"))
  }
  const host = hostOf(c, req.bucket, region, ov.endpoint?.replace(/^https?:\/\//, "").replace(/\/$/, ""))
  const prefix = c.pathStyle && req.bucket !== undefined && c.domain === undefined && !c.accelerate ? `/${req.bucket}` : ""
  const safe = req.safe ?? req.method !== "POST"
  const timeoutMillis = req.timeoutMillis ?? c.timeoutMillis
  return Either.right({
    req,
    region,
    host,
    path: `${prefix}/${encodeKey(key)}`,
    signPath: `${prefix}/${key}`,
    state: { skewCorrected: false, signedAt: 0 },
    site: { service: "cos", version: "xml", action: op, region, endpoint: host },
    info: { service: "cos", version: "", action: op, idempotent: safe },
    safe,
    primary: { scheme: c.scheme, host },
    breakerKey: `cos/${region ?? ""}/${host}`,
    timeoutMillis,
    traceId: randomUUID()
  })
}

const queryOf = (q: Readonly<Record<string, string | undefined>>): string => {
  const parts: Array<string> = []
  for (const k of Object.keys(q).sort()) {
    const v = q[k]
    if (v === undefined) continue
    parts.push(v === "" ? encode(k) : `${encode(k)}=${encode(v)}`)
  }
  return parts.length === 0 ? "" : "?" + parts.join("&")
}

/** Sign one attempt. */
export const sign = (c: CosConfig, skew: Skew) => (laid: CosLaid, target: Target, credential: { secretId: string; secretKey: Redacted.Redacted<string>; token?: Redacted.Redacted<string> | undefined } | undefined, nowMillis: number): Either.Either<Outgoing, RequestValidationError> => {
  const req = laid.req
  laid.state.signedAt = nowMillis
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v
  const query: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) query[k] = v
  headers.host = target.host
  const body = req.body
  if (body !== undefined && typeof body === "object" && "_tag" in body) headers["content-length"] = String(body.length)
  if (credential !== undefined) {
    if (credential.token !== undefined) headers["x-cos-security-token"] = Redacted.value(credential.token)
    const signed: Record<string, string> = {}
    for (const [k, v] of Object.entries(headers)) if (isSignable(k) && k !== "content-length") signed[k] = v
    const start = Math.floor((nowMillis + (c.correctClockSkew ? skew.offsetMillis : 0)) / 1000) - 1
    headers.authorization = authorization({
      secretId: credential.secretId,
      secretKey: Redacted.value(credential.secretKey),
      method: req.method,
      key: laid.signPath.slice(1),
      query,
      headers: signed,
      startSeconds: start,
      endSeconds: start + c.signSeconds
    })
  }
  return Either.right({ method: req.method, url: `${target.scheme}://${target.host}${laid.path}${queryOf(query)}`, headers, body })
}

/** The CosError of a failed answer (body-less answers named by status). */
export const errorOf = (a: Answer, laid: CosLaid): CosError => {
  const doc = a.body.includes("<Error") ? Xml.parse(a.body) : undefined
  const req = laid.req
  let code = Xml.textOf(doc, "Code")
  let message = Xml.textOf(doc, "Message")
  if (code === undefined) {
    const what = req.key ? `object ${req.bucket}/${req.key}` : req.bucket ? `bucket ${req.bucket}` : "the service"
    code =
      a.status === 404 ? (req.key ? "NoSuchKey" : "NoSuchBucket")
      : a.status === 403 ? "AccessDenied"
      : a.status === 412 ? "PreconditionFailed"
      : a.status === 304 ? "NotModified"
      : a.status === 409 ? "Conflict"
      : a.status === 503 ? "ServiceUnavailable"
      : a.status >= 500 ? "InternalError"
      : `HttpStatus${a.status}`
    message = `HTTP ${a.status} without an error document for ${what}`
  }
  return new CosError({
    code,
    category: categoryOf(code, a.status),
    status: a.status,
    serverMessage: message ?? "",
    requestId: a.headers["x-cos-request-id"] ?? Xml.textOf(doc, "RequestId") ?? "",
    traceId: Xml.textOf(doc, "TraceId"),
    resource: Xml.textOf(doc, "Resource"),
    operation: req.operation,
    bucket: req.bucket,
    key: req.key,
    region: laid.region,
    serverDate: a.headers.date
  })
}

const SKEW_MIN_MS = 30_000

/** Interpret an answer. */
export const interpret = (c: CosConfig, skew: Skew) => (a: Answer, laid: CosLaid): Either.Either<unknown, CosError | SdkError> => {
  const ok = (a.status >= 200 && a.status < 300) && !(a.status === 200 && a.body.startsWith("<?xml") && a.body.includes("<Error>") && !a.body.includes("<ListBucketResult"))
  if (ok) return laid.req.read(a, laid)
  let err = errorOf(a, laid)
  const skewed = err.code === "RequestTimeTooSkewed" || (err.code === "AccessDenied" && /expired/i.test(err.serverMessage))
  if (skewed && c.correctClockSkew && !laid.state.skewCorrected && err.serverDate !== undefined) {
    const server = Date.parse(err.serverDate)
    if (Number.isFinite(server)) {
      const offset = server - laid.state.signedAt
      if (Math.abs(offset - skew.offsetMillis) >= SKEW_MIN_MS) {
        skew.offsetMillis = offset
        laid.state.skewCorrected = true
        // nothing ran: retried at once, re-signed with the corrected clock
        err = new CosError({ ...err, category: "throttling" })
      }
    }
  }
  return Either.left(err)
}

/** A parse failure of a 2xx answer. */
export const parseError = (a: Answer, laid: CosLaid, what: string): ResponseParseError =>
  new ResponseParseError({
    ...laid.site,
    status: a.status,
    contentType: a.headers["content-type"] ?? "",
    traceId: laid.traceId,
    bodyExcerpt: a.body.slice(0, 512),
    message: `the answer of COS ${laid.req.operation} is not ${what} (HTTP ${a.status}); the server or a proxy sent something else (trace id ${laid.traceId})`
  })

/** Parse an XML answer whose root is `root`. */
export const xmlRoot = (a: Answer, laid: CosLaid, root: string): Either.Either<Xml.XmlNode, ResponseParseError> => {
  const doc = Xml.parse(a.body)
  return doc !== undefined && doc.name === root ? Either.right(doc) : Either.left(parseError(a, laid, `a <${root}> document`))
}

/** The protocol value of one client. */
export const make = (c: CosConfig, skew: Skew): Protocol<CosRequest<unknown>, CosLaid, unknown, CosError> => ({
  name: "cos",
  layout: layout(c),
  // q-sign has no nonce: the engine may take its fused attempt
  usesNonce: () => false,
  sign: sign(c, skew),
  interpret: interpret(c, skew),
  streams: (status) => status === 200 || status === 206,
  secrets: ["x-cos-security-token", "q-signature"]
})
