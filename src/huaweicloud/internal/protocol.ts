/**
 * Huawei Cloud as a protocol of the shared engine (`core/Protocol.ts`): a REST call laid out
 * (path, query, headers, JSON / bytes / multipart body), signed with `SDK-HMAC-SHA256` (or the
 * derived `V11-HMAC-SHA256`) for each attempt, and its answer read into a value or a
 * `ServiceResponseError` whose `_tag` is Huawei's `error_code`.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Answer, Laid, Outgoing, Protocol, Target } from "../../core/Protocol.js"
import type { CallOverrides } from "../../core/Overrides.js"
import type { ActionInfo } from "../../core/Call.js"
import { RequestValidationError, ResponseDecodeError, ResponseParseError, type SdkError } from "../../Errors.js"
import { fromAnswer, RetryOutageError, type ServiceResponseError } from "../Errors.js"
import * as Signer from "../Signer.js"

/** One part of a multipart/form-data body. */
export type FormPart =
  | { readonly name: string; readonly value: string | number | boolean }
  | { readonly name: string; readonly filename: string; readonly data: Uint8Array; readonly contentType?: string | undefined }

/** A request body. */
export type Body =
  | undefined
  | { readonly _tag: "Json"; readonly value: unknown }
  | { readonly _tag: "Bytes"; readonly bytes: Uint8Array; readonly contentType: string }
  | { readonly _tag: "Multipart"; readonly parts: ReadonlyArray<FormPart> }

/** What the client hands to the engine for one call (ids resolved, endpoint chosen). */
export interface Call {
  readonly service: string
  readonly version: string
  readonly action: string
  readonly method: string
  /** The path with its parameters filled in (encoded). */
  readonly path: string
  readonly query: Signer.Query
  readonly headers: Readonly<Record<string, string>>
  readonly body: Body
  /** `https://host[:port]`. */
  readonly endpoint: string
  readonly backup?: string | undefined
  readonly region: string | undefined
  readonly projectId?: string | undefined
  readonly domainId?: string | undefined
  readonly derived?: { readonly region: string; readonly service: string } | undefined
  readonly safe: boolean
  readonly timeoutMillis: number
  readonly traceId: string
  readonly anonymous?: boolean | undefined
  /** How many endpoints remain after this one (failover instead of retrying a dead host). */
  readonly endpointsLeft: number
  /** Decode a successful JSON answer (typed actions); without it the raw {@link Response} is the result. */
  readonly decode?: ((body: unknown) => Either.Either<unknown, string>) | undefined
  /** Response headers to copy into the decoded value (typed actions). */
  readonly responseHeaders?: ReadonlyArray<string> | undefined
}

/** The result of a generic call. */
export interface Response {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly requestId: string | undefined
  /** The JSON body parsed, or the text when it is not JSON, or `undefined` when empty. */
  readonly body: unknown
}

/** The action info the retry policy sees, with what failover needs. */
export interface HuaweiActionInfo extends ActionInfo {
  readonly endpointsLeft: number
}

/** A laid-out call. */
export interface HwLaid extends Laid {
  readonly call: Call
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array | string | undefined
  readonly contentType: string | undefined
}

/** Headers a caller may not set: the signer and transport own them. */
const RESERVED = new Set(["host", "authorization", "x-sdk-date", "content-length", "x-security-token"])

const targetOf = (endpoint: string): Target => {
  const i = endpoint.indexOf("://")
  return { scheme: endpoint.slice(0, i) === "http" ? "http" : "https", host: endpoint.slice(i + 3) }
}

const boundaryOf = (traceId: string) => `----effect-huaweicloud-${traceId.replace(/[^A-Za-z0-9]/g, "")}`

/** Encode a multipart/form-data body (booleans as `true`/`false`, as the SDK sends them). */
export const encodeMultipart = (parts: ReadonlyArray<FormPart>, boundary: string): Uint8Array => {
  const chunks: Array<Uint8Array> = []
  const text = (s: string) => chunks.push(Buffer.from(s, "utf8"))
  const q = (s: string) => s.replace(/["\r\n]/g, (c) => encodeURIComponent(c))
  for (const p of parts) {
    text(`--${boundary}\r\n`)
    if ("data" in p) {
      text(`Content-Disposition: form-data; name="${q(p.name)}"; filename="${q(p.filename)}"\r\nContent-Type: ${p.contentType ?? "application/octet-stream"}\r\n\r\n`)
      chunks.push(p.data)
    } else {
      text(`Content-Disposition: form-data; name="${q(p.name)}"\r\n\r\n${String(p.value)}`)
    }
    text("\r\n")
  }
  text(`--${boundary}--\r\n`)
  return Buffer.concat(chunks)
}

const layout = (call: Call, overrides: CallOverrides): Either.Either<HwLaid, RequestValidationError> => {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...call.headers, ...overrides.headers })) {
    if (RESERVED.has(k.toLowerCase())) {
      return Either.left(RequestValidationError.make({ service: call.service, action: call.action, field: `headers.${k}`, problem: "this header is set by the SDK", fix: "remove it; the signer and the transport set Host, Authorization, X-Sdk-Date, X-Security-Token and Content-Length" }))
    }
    if (/[\r\n]/.test(v)) {
      return Either.left(RequestValidationError.make({ service: call.service, action: call.action, field: `headers.${k}`, problem: "the value contains a line break", fix: "remove CR/LF from the header value" }))
    }
    headers[k] = v
  }
  let bytes: Uint8Array | string | undefined
  let contentType: string | undefined = "application/json"
  const b = call.body
  if (b?._tag === "Json") bytes = JSON.stringify(b.value)
  else if (b?._tag === "Bytes") {
    bytes = b.bytes
    contentType = b.contentType
  } else if (b?._tag === "Multipart") {
    const boundary = boundaryOf(call.traceId)
    bytes = encodeMultipart(b.parts, boundary)
    contentType = `multipart/form-data; boundary=${boundary}`
  }
  const userType = Object.keys(headers).find((k) => k.toLowerCase() === "content-type")
  if (userType !== undefined) {
    contentType = headers[userType]
    delete headers[userType]
  }
  const endpoint = overrides.endpoint ?? call.endpoint
  const info: HuaweiActionInfo = { service: call.service, version: call.version, action: call.action, idempotent: call.safe, endpointsLeft: call.endpointsLeft }
  return Either.right({
    call,
    headers,
    bytes,
    contentType,
    site: { service: call.service, version: call.version, action: call.action, region: call.region, endpoint: targetOf(endpoint).host },
    info,
    safe: call.safe,
    primary: targetOf(endpoint),
    backup: call.backup === undefined ? undefined : targetOf(call.backup),
    breakerKey: `huaweicloud|${call.service}|${call.region ?? ""}|${endpoint}`,
    timeoutMillis: call.timeoutMillis,
    traceId: call.traceId,
    anonymous: call.anonymous
  })
}

const sign = (laid: HwLaid, target: Target, credential: { readonly secretId: string; readonly secretKey: Redacted.Redacted<string>; readonly token?: Redacted.Redacted<string> | undefined } | undefined, nowMillis: number): Either.Either<Outgoing, RequestValidationError> => {
  const c = laid.call
  const headers: Record<string, string> = { ...laid.headers }
  if (laid.contentType !== undefined) headers["Content-Type"] = laid.contentType
  const nonJson = laid.contentType !== undefined && !/^application\/(json|bson)/i.test(laid.contentType)
  if (nonJson && laid.bytes !== undefined && laid.bytes.length > 0) headers[Signer.CONTENT_SHA256_HEADER] = Signer.UNSIGNED_PAYLOAD
  let sent: Record<string, string>
  let queryString: string
  if (credential === undefined) {
    sent = { ...headers, Host: target.host }
    queryString = Signer.canonicalQueryString(c.query)
  } else {
    const out = Signer.signRequest(
      { method: c.method, host: target.host, path: c.path, query: c.query, headers, body: laid.bytes },
      {
        accessKey: credential.secretId,
        secretKey: Redacted.value(credential.secretKey),
        securityToken: credential.token === undefined ? undefined : Redacted.value(credential.token),
        projectId: c.projectId,
        domainId: c.projectId === undefined ? c.domainId : undefined,
        derived: c.derived
      },
      nowMillis
    )
    sent = out.headers
    queryString = out.queryString
  }
  sent["User-Agent"] = "effect-tencentcloud-huaweicloud/0.1"
  return Either.right({
    method: c.method,
    url: `${target.scheme}://${target.host}${c.path}${queryString === "" ? "" : `?${queryString}`}`,
    headers: sent,
    body: laid.bytes
  })
}

const parseBody = (answer: Answer): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly cause: unknown } => {
  if (answer.body === "") return { ok: true, value: undefined }
  const ct = answer.headers["content-type"] ?? ""
  if (!/json/i.test(ct) && !/^\s*[[{]/.test(answer.body)) return { ok: true, value: answer.body }
  try {
    return { ok: true, value: JSON.parse(answer.body) }
  } catch (cause) {
    return { ok: false, cause }
  }
}

const interpret = (answer: Answer, laid: HwLaid, target: Target): Either.Either<unknown, ServiceResponseError | RetryOutageError | SdkError> => {
  const site = { ...laid.site, endpoint: target.host }
  const requestId = answer.headers["x-request-id"]
  if (answer.status >= 400) return Either.left(fromAnswer(answer.status, answer.body, requestId, site))
  if (answer.status >= 300) {
    return Either.left(new RetryOutageError({ ...site, status: answer.status, location: answer.headers["location"], requestId: requestId ?? "", message: `HTTP ${answer.status} redirect to ${answer.headers["location"] ?? "(no Location)"} (${site.service} ${site.action}); redirects are not followed: use the endpoint it names` }))
  }
  const parsed = parseBody(answer)
  if (!parsed.ok) {
    return Either.left(new ResponseParseError({ ...site, status: answer.status, contentType: answer.headers["content-type"] ?? "", traceId: laid.traceId, bodyExcerpt: answer.body.slice(0, 512), cause: parsed.cause, message: `the answer of ${site.service} ${site.action} is not valid JSON (HTTP ${answer.status}); the body may have been cut short` }))
  }
  const decode = laid.call.decode
  if (decode === undefined) return Either.right({ status: answer.status, headers: answer.headers, requestId, body: parsed.value } satisfies Response)
  let value = parsed.value ?? {}
  if (laid.call.responseHeaders !== undefined && typeof value === "object" && value !== null && !Array.isArray(value)) {
    const extra: Record<string, unknown> = {}
    for (const h of laid.call.responseHeaders) {
      const v = answer.headers[h.toLowerCase()]
      if (v !== undefined) extra[h] = v
    }
    value = { ...(value as object), ...extra }
  }
  const d = decode(value)
  return Either.isRight(d)
    ? Either.right(d.right)
    : Either.left(new ResponseDecodeError({ ...site, requestId: requestId ?? "", issue: d.left, message: `the answer of ${site.service} ${site.action} does not match its model: ${d.left} (X-Request-Id ${requestId ?? "none"})` }))
}

/** The protocol value. */
export const protocol: Protocol<Call, HwLaid, unknown, ServiceResponseError | RetryOutageError> = {
  name: "huaweicloud",
  layout,
  // SDK-HMAC-SHA256 has no nonce: the engine may take its fused attempt
  usesNonce: () => false,
  sign: (laid, target, credential, now) => sign(laid, target, credential, now),
  interpret,
  streams: (status, headers) => status >= 200 && status < 300 && !/json/i.test(headers["content-type"] ?? ""),
  secrets: ["x-security-token", "x-auth-token", "x-subject-token", "x-metadata-token"]
}
