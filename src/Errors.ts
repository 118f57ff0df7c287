/**
 * Every failure the SDK can report, as tagged values for Effect's error channel.
 *
 * - {@link ApiError}: the server answered `Response.Error`. One runtime class whose `_tag` is the
 *   Tencent error code (`"InvalidParameter"`, `"RequestLimitExceeded"`, ...), so
 *   `Effect.catchTag("ResourceNotFound", ...)` handles a code directly. Generated actions type it
 *   by the codes the action may return.
 * - {@link UnknownApiError}: the server answered a code the action does not declare.
 * - SDK errors: request validation, credentials, network, timeout, HTTP status, response parsing
 *   and decoding, breaker. Each message says what failed, where, and what to do.
 *
 * Secrets never appear in any error: credentials are `Redacted` and no error keeps a header map.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { commonCodes } from "./internal/commonCodes.js"

/** Where a call was going: carried by every call-level error. */
export interface CallSite {
  readonly service: string
  readonly version: string
  readonly action: string
  readonly region?: string | undefined
  readonly endpoint?: string | undefined
}

const where = (s: Partial<CallSite>): string => {
  const parts: Array<string> = []
  if (s.service) parts.push(s.service)
  if (s.version) parts.push(s.version)
  if (s.action) parts.push(s.action)
  let out = parts.join(" ")
  if (s.region) out += ` in ${s.region}`
  if (s.endpoint) out += ` via ${s.endpoint}`
  return out
}

/** Fields of an {@link ApiError}. */
export interface ApiErrorFields<Code extends string> extends CallSite {
  readonly code: Code
  /** The server's own message, unchanged. */
  readonly serverMessage: string
  readonly requestId: string
}

const hintFor = (code: string): string => {
  if (code.startsWith("RequestLimitExceeded")) return "the API is throttling this account; retry with backoff (the default retry policy does) or lower the call rate."
  if (code === "AuthFailure.SignatureExpire") return "the local clock is more than 5 minutes off; sync it (NTP)."
  if (code === "AuthFailure.SignatureFailure") return "check the SecretKey, and that nothing rewrites the request between signing and sending (proxies, Host header)."
  if (code === "AuthFailure.SecretIdNotFound" || code === "AuthFailure.InvalidSecretId") return "check the SecretId: it does not exist or was disabled."
  if (code === "AuthFailure.TokenFailure") return "the temporary token is invalid or expired; refresh the temporary credentials."
  if (code.startsWith("AuthFailure") || code.startsWith("UnauthorizedOperation")) return "check the credentials and the CAM policy of the caller."
  if (code === "InvalidAction") return "the action name does not exist in this service version; check spelling and version."
  if (code === "NoSuchVersion") return "the API version does not exist for this service."
  if (code.startsWith("MissingParameter") || code.startsWith("InvalidParameter") || code.startsWith("UnknownParameter")) return "fix the request parameters named in the message."
  if (code === "InternalError") return "a server-side failure; it is not retried by default because the action may have run. Retry only if the action is safe to repeat."
  if (code.startsWith("ResourceNotFound")) return "the resource does not exist in this region; check the id and the region."
  return "see the action's documentation for this code."
}

/**
 * The server answered `{"Response":{"Error":{"Code","Message"},"RequestId"}}`.
 *
 * `_tag` is the code itself, so `catchTag` works by code.
 *
 * @example
 * ```ts
 * program.pipe(Effect.catchTag("ResourceNotFound.InstanceNotFound", (e) => Effect.succeed(e.requestId)))
 * ```
 */
export class ApiError<Code extends string = string> extends /*#__PURE__*/ Data.Error<
  ApiErrorFields<Code> & { readonly message: string }
> {
  readonly _tag: Code
  constructor(fields: ApiErrorFields<Code>) {
    super({
      ...fields,
      message: `${fields.code}: ${fields.serverMessage} (${where(fields)}, RequestId ${fields.requestId}); ${hintFor(fields.code)}`
    })
    this._tag = fields.code
    // `String(error)` and `console.log(error)` both start with "ApiError:" (not "Error:")
    Object.defineProperty(this, "name", { value: "ApiError", enumerable: false, configurable: true, writable: true })
  }
}

/** Brand check for any {@link ApiError}, whatever its code. */
export const isApiError = (u: unknown): u is ApiError<string> => u instanceof ApiError

/**
 * A distributive union of {@link ApiError}s, one member per code, so `catchTag` narrows by code.
 * `ApiErrorOf<"A" | "B">` is `ApiError<"A"> | ApiError<"B">`.
 */
export type ApiErrorOf<Codes extends string> = Codes extends string ? ApiError<Codes> : never

/**
 * The server answered an error code that the action does not declare. Handle it with
 * `catchTag("UnknownApiError", ...)`; `code` holds the server's code.
 */
export class UnknownApiError extends /*#__PURE__*/ Data.TaggedError("UnknownApiError")<
  CallSite & { readonly code: string; readonly serverMessage: string; readonly requestId: string; readonly message: string }
> {
  static make(fields: CallSite & { readonly code: string; readonly serverMessage: string; readonly requestId: string }) {
    return new UnknownApiError({
      ...fields,
      message: `${fields.code}: ${fields.serverMessage} (${where(fields)}, RequestId ${fields.requestId}); this code is not declared for the action; ${hintFor(fields.code)}`
    })
  }
}

/**
 * Bad input, found before anything was sent: a request field, a configuration value (region,
 * language, endpoint, method) or a request over the size limits.
 */
export class RequestValidationError extends /*#__PURE__*/ Data.TaggedError("RequestValidationError")<{
  readonly service?: string | undefined
  readonly action?: string | undefined
  /** The offending field or option, e.g. `Filters[0].Values` or `region` (the first, when there are several). */
  readonly field: string
  readonly message: string
  /** Every problem of the request, when it was checked against its schema (`field` is the first). */
  readonly problems?: ReadonlyArray<{ readonly field: string; readonly problem: string }> | undefined
}> {
  static make(args: { service?: string | undefined; action?: string | undefined; field: string; problem: string; fix: string }) {
    const loc = args.service || args.action ? ` (${[args.service, args.action].filter(Boolean).join(" ")})` : ""
    return new RequestValidationError({
      service: args.service,
      action: args.action,
      field: args.field,
      message: `invalid ${args.field}${loc}: ${args.problem}; ${args.fix}. Nothing was sent.`
    })
  }
}

/** Credentials could not be obtained: which provider, why, and (for files) where. */
export class CredentialsError extends /*#__PURE__*/ Data.TaggedError("CredentialsError")<{
  readonly provider: string
  readonly message: string
  readonly file?: string | undefined
  readonly line?: number | undefined
  /** True when the source simply is not configured (the default chain then moves on). */
  readonly notConfigured?: boolean | undefined
  readonly cause?: unknown
}> {}

/** The request could not be sent or the answer not received: connect, reset, DNS, TLS. */
export class NetworkError extends /*#__PURE__*/ Data.TaggedError("NetworkError")<
  CallSite & {
    readonly reason: "Connect" | "Reset" | "DNS" | "TLS" | "Transport"
    readonly traceId: string
    readonly message: string
    readonly cause?: unknown
    /**
     * The request never reached a server that could act on it: a reused keep-alive connection
     * the server had already closed, found closed before any byte of the answer arrived. Safe
     * to retry for every action, and not a region failure.
     */
    readonly beforeSend?: boolean | undefined
  }
> {}

/** No answer within the per-request timeout; the request was aborted. */
export class TimeoutError extends /*#__PURE__*/ Data.TaggedError("TimeoutError")<
  CallSite & { readonly timeoutMillis: number; readonly traceId: string; readonly message: string }
> {}

/** A non-200 answer without an API error body (a gateway page, for example). */
export class HttpStatusError extends /*#__PURE__*/ Data.TaggedError("HttpStatusError")<
  CallSite & {
    readonly status: number
    readonly traceId: string
    readonly requestId?: string | undefined
    /** At most the first 512 characters of the body. */
    readonly bodyExcerpt: string
    readonly message: string
  }
> {}

/** The answer was not JSON (or not the API envelope), or was cut short. */
export class ResponseParseError extends /*#__PURE__*/ Data.TaggedError("ResponseParseError")<
  CallSite & {
    readonly status: number
    readonly contentType: string
    readonly traceId: string
    readonly bodyExcerpt: string
    readonly message: string
    readonly cause?: unknown
    /**
     * A complete answer that is not what the call expects (not the envelope, empty, an event
     * stream for a unary call): asking again gets the same, so it is neither retried nor counted
     * against the region. Unset for a body cut short, which is a transport failure.
     */
    readonly permanent?: boolean | undefined
  }
> {}

/** The answer parsed but does not match the action's response schema (API drift). */
export class ResponseDecodeError extends /*#__PURE__*/ Data.TaggedError("ResponseDecodeError")<
  CallSite & {
    readonly requestId: string
    /** The first mismatch, `path: expected ..., got ...`. */
    readonly issue: string
    readonly message: string
    /** Every mismatch (strict mode names them all): member path, what the spec declares, what came. */
    readonly mismatches?: ReadonlyArray<{ readonly path: string; readonly expected: string; readonly got: string }> | undefined
  }
> {}

/** The region breaker is open and no backup endpoint can take the call. */
export class BreakerOpenError extends /*#__PURE__*/ Data.TaggedError("BreakerOpenError")<
  CallSite & { readonly message: string }
> {}

/**
 * The answer was larger than the client's `maxResponseBytes` (default 64 MiB): reading stopped
 * there and the connection was closed. Not retried: the same request gets the same answer.
 */
export class ResponseTooLargeError extends /*#__PURE__*/ Data.TaggedError("ResponseTooLargeError")<
  CallSite & { readonly limitBytes: number; readonly traceId: string; readonly message: string }
> {}

/** Every error raised by the SDK itself (not by the server). */
export type SdkError =
  | RequestValidationError
  | ResponseTooLargeError
  | CredentialsError
  | NetworkError
  | TimeoutError
  | HttpStatusError
  | ResponseParseError
  | ResponseDecodeError
  | BreakerOpenError

/** Any error a call can fail with. */
export type TencentCloudError = ApiError<string> | UnknownApiError | SdkError

const codeOf = (e: unknown): string | undefined =>
  isApiError(e) ? e.code : (Predicate.isTagged(e, "UnknownApiError") ? (e as UnknownApiError).code : undefined)

/** The server asked us to slow down (`RequestLimitExceeded*`, `LimitExceeded.*Frequency`...). */
export const isThrottling = (e: unknown): boolean => {
  const c = codeOf(e)
  return c !== undefined && (c.startsWith("RequestLimitExceeded") || c === "LimitExceeded.RequestFrequency")
}

/** Authentication or authorisation failed (`AuthFailure*`, `UnauthorizedOperation*`) or no credentials. */
export const isAuth = (e: unknown): boolean => {
  const c = codeOf(e)
  if (c !== undefined) return c.startsWith("AuthFailure") || c.startsWith("UnauthorizedOperation")
  return Predicate.isTagged(e, "CredentialsError")
}

/** The resource does not exist (`ResourceNotFound*`, `InvalidInstanceId.NotFound`, `*.NotFound`...). */
export const isNotFound = (e: unknown): boolean => {
  const c = codeOf(e)
  return c !== undefined && (c.startsWith("ResourceNotFound") || c.endsWith(".NotFound") || c.endsWith("NotExist") || c.endsWith("NotFound"))
}

/** A transport-level failure (network, timeout, 5xx without an API body). */
export const isTransport = (e: unknown): boolean =>
  Predicate.isTagged(e, "NetworkError") || Predicate.isTagged(e, "TimeoutError") ||
  (Predicate.isTagged(e, "HttpStatusError") && (e as HttpStatusError).status >= 500)

export { type CommonCode, commonCodes } from "./internal/commonCodes.js"

const common: ReadonlySet<string> = /*#__PURE__*/ new Set(commonCodes)

/**
 * The error for a code the server answered: an {@link ApiError} when the action declares the
 * code (or it is a common code, or `declared` is unknown, as for the generic call), else an
 * {@link UnknownApiError}, so the declared types never lie.
 */
export const fromServerCode = (
  fields: ApiErrorFields<string>,
  declared: ReadonlySet<string> | undefined
): ApiError<string> | UnknownApiError =>
  declared === undefined || declared.has(fields.code) || common.has(fields.code) ? new ApiError(fields) : UnknownApiError.make(fields)

// -------------------------------------------------------------------------------------------------
// classification: the one rule behind retries, the region breaker and span attributes

/**
 * What a server error means for retries and the breaker, for codes whose name does not say it.
 * A protocol sets `category` on its errors (COS `SlowDown` is `"throttling"`, a Huawei 5xx is
 * `"unavailable"`); API 3.0 codes are categorised by name.
 *
 * - `throttling`: the server refused to run the request; retried on every action.
 * - `unavailable`: the server could not take it now; retried when the call is safe to repeat.
 * - `internal`: the server failed and the action may have run; never retried, a region failure.
 * - `client`: the request is wrong; never retried; the region answered fine.
 */
export type Category = "throttling" | "unavailable" | "internal" | "client"

/** How a failure is treated by retries and the region breaker. */
export interface Classification {
  /**
   * `always`: nothing ran (throttled, connection never opened); `ifSafe`: it may have run, retry
   * only calls safe to repeat; `never`: retrying cannot help.
   */
  readonly retry: "always" | "ifSafe" | "never"
  /** The region's health: `true` it answered, `false` a region failure, `undefined` not recorded. */
  readonly region: boolean | undefined
  /** The code of a server error, for spans and metrics. */
  readonly code?: string | undefined
}

const categoryOfCode = (code: string): Category =>
  code.startsWith("RequestLimitExceeded") || code === "LimitExceeded.RequestFrequency"
    ? "throttling"
    : code === "ServiceUnavailable"
      ? "unavailable"
      : code === "InternalError"
        ? "internal"
        : "client"

const byCategory: Readonly<Record<Category, Classification>> = {
  throttling: { retry: "always", region: true },
  unavailable: { retry: "ifSafe", region: true },
  internal: { retry: "never", region: false },
  client: { retry: "never", region: true }
}

const NEVER: Classification = { retry: "never", region: undefined }

/**
 * Classify a failure of any protocol. Server errors (anything with a string `code`: `ApiError`,
 * `UnknownApiError`, a protocol's own) by their `category`, or by their code's name; SDK errors by
 * what happened:
 *
 * | failure | retry | region |
 * |---|---|---|
 * | `NetworkError` Connect / DNS (nothing was sent) | always | failure |
 * | `NetworkError` with `beforeSend` (a stale keep-alive connection) | always | not recorded |
 * | `NetworkError` Reset / TLS / Transport, `TimeoutError` | ifSafe | failure |
 * | `HttpStatusError` 429 | always | answered if it has a RequestId, else not recorded |
 * | `HttpStatusError` 5xx | ifSafe | failure (answered if it has a RequestId) |
 * | `HttpStatusError` other | never | answered if it has a RequestId, else not recorded |
 * | `ResponseParseError` cut short | ifSafe | failure (4xx: not recorded) |
 * | `ResponseParseError` permanent (not the envelope, empty, a stream for a unary call) | never | answered |
 * | `ResponseTooLargeError` | never | not recorded |
 * | `ResponseDecodeError` | never | answered |
 * | `RequestValidationError`, `CredentialsError`, `BreakerOpenError` | never | not recorded |
 */
export const classify = (error: unknown): Classification => {
  if (typeof error !== "object" || error === null) return NEVER
  const e = error as {
    readonly _tag?: unknown
    readonly code?: unknown
    readonly category?: unknown
    readonly status?: unknown
    readonly reason?: unknown
    readonly requestId?: unknown
  }
  const serverCode = isApiError(error) || e._tag === "UnknownApiError" || (typeof e.code === "string" && typeof e.category === "string")
  if (serverCode && typeof e.code === "string") {
    const cat = typeof e.category === "string" && e.category in byCategory ? (e.category as Category) : categoryOfCode(e.code)
    return { ...byCategory[cat], code: e.code }
  }
  switch (e._tag) {
    case "NetworkError":
      if ((e as { beforeSend?: unknown }).beforeSend === true) return { retry: "always", region: undefined }
      return { retry: e.reason === "Connect" || e.reason === "DNS" ? "always" : "ifSafe", region: false }
    case "TimeoutError":
      return { retry: "ifSafe", region: false }
    case "HttpStatusError": {
      const status = typeof e.status === "number" ? e.status : 0
      const answered = typeof e.requestId === "string" && e.requestId !== ""
      if (status === 429) return { retry: "always", region: answered ? true : undefined }
      if (status >= 500) return { retry: "ifSafe", region: answered ? true : false }
      return { retry: "never", region: answered ? true : undefined }
    }
    case "ResponseParseError": {
      if ((e as { permanent?: unknown }).permanent === true) return { retry: "never", region: true }
      const status = typeof e.status === "number" ? e.status : 0
      return { retry: "ifSafe", region: status >= 400 && status < 500 ? undefined : false }
    }
    case "ResponseDecodeError":
      return { retry: "never", region: true }
    default:
      return NEVER
  }
}
