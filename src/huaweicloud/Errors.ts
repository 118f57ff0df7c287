/**
 * Huawei Cloud failures as tagged values, mapped onto the Huawei SDK's exception hierarchy:
 *
 * | Huawei SDK | here |
 * |---|---|
 * | `ConnectionException` (`HostUnreachable`, `SslHandShake`) | the core's `NetworkError` (reason `DNS`/`Connect`, `TLS`, ...) |
 * | `RequestTimeoutException` / `CallTimeoutException` | the core's `TimeoutError` |
 * | `RetryOutageException` | {@link RetryOutageError}: a redirect the client does not follow |
 * | `ClientRequestException` (4xx) | {@link ServiceResponseError} with `kind: "ClientRequest"` |
 * | `ServerResponseException` (5xx) | {@link ServiceResponseError} with `kind: "ServerResponse"` |
 *
 * A {@link ServiceResponseError}'s `_tag` is Huawei's `error_code` (`"VPC.0202"`, `"APIGW.0301"`),
 * so `Effect.catchTag("VPC.0202", ...)` works as on Tencent; it carries a string `code` and a
 * `category`, so the core's retry policy and region breaker treat it like any server error.
 * {@link kindOf} names the Huawei class of any failure.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import type { CallSite, Category, SdkError } from "../Errors.js"

/** Which Huawei SDK exception a service answer corresponds to. */
export type ResponseKind = "ClientRequest" | "ServerResponse" | "ServiceResponse"

/** Fields of a {@link ServiceResponseError}. */
export interface ServiceResponseFields<Code extends string> extends CallSite {
  /** Huawei's `error_code` (or `HTTP.<status>` when the answer had none). */
  readonly code: Code
  readonly errorCode: string
  readonly errorMsg: string
  readonly status: number
  readonly requestId: string
  readonly encodedAuthorizationMessage?: string | undefined
  readonly kind: ResponseKind
  readonly category: Category
}

const hintFor = (code: string, status: number): string => {
  if (code === "APIGW.0301") return "the AK/SK signature was refused: check the AK, the SK, the X-Security-Token of temporary keys, and the local clock (X-Sdk-Date within 15 minutes)."
  if (code === "APIGW.0302" || status === 403) return "check the project (X-Project-Id / project id in the path) and the IAM policy of the caller."
  if (status === 429) return "the API is throttling this account; retry with backoff (the default retry policy does) or lower the call rate."
  if (status === 404) return "the resource or the API does not exist in this region; check the id, the region and the endpoint."
  if (status >= 500) return "a server-side failure; retried only when the call is safe to repeat."
  return "see the API's documentation for this error code."
}

/**
 * The service answered an HTTP status of 400 or more. `_tag` is the error code.
 *
 * @example
 * ```ts
 * program.pipe(Effect.catchTag("VPC.0202", (e) => Effect.succeed(e.requestId)))
 * ```
 */
export class ServiceResponseError<Code extends string = string> extends /*#__PURE__*/ Data.Error<
  ServiceResponseFields<Code> & { readonly message: string }
> {
  readonly _tag: Code
  constructor(fields: ServiceResponseFields<Code>) {
    const where = [fields.service, fields.action].filter(Boolean).join(" ") + (fields.region ? ` in ${fields.region}` : "") + (fields.endpoint ? ` via ${fields.endpoint}` : "")
    super({
      ...fields,
      message: `${fields.errorCode}: ${fields.errorMsg} (HTTP ${fields.status}, ${where}, X-Request-Id ${fields.requestId || "none"}); ${hintFor(fields.code, fields.status)}`
    })
    this._tag = fields.code
  }
}

/** Brand check for any {@link ServiceResponseError}. */
export const isServiceResponseError = (u: unknown): u is ServiceResponseError => u instanceof ServiceResponseError

/**
 * Handle one Huawei error code. `Effect.catchTag(code, ...)` works at run time too; this helper
 * also types the handler's error when the codes are only known as `string` (generic calls).
 *
 * @example
 * ```ts
 * program.pipe(Errors.catchCode("VPC.0202", (e) => Effect.succeed(e.requestId)))
 * ```
 */
export const catchCode: {
  <B, E2, R2>(code: string, f: (e: ServiceResponseError) => Effect.Effect<B, E2, R2>): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | B, E | E2, R | R2>
  <A, E, R, B, E2, R2>(self: Effect.Effect<A, E, R>, code: string, f: (e: ServiceResponseError) => Effect.Effect<B, E2, R2>): Effect.Effect<A | B, E | E2, R | R2>
} = dual(3, <A, E, R, B, E2, R2>(self: Effect.Effect<A, E, R>, code: string, f: (e: ServiceResponseError) => Effect.Effect<B, E2, R2>) =>
  Effect.catchIf(self, (e): e is E & ServiceResponseError => isServiceResponseError(e) && e.code === code, (e) => f(e)))

/** The answer was a redirect (3xx); the client does not follow redirects (the SDK's `allow_redirects=False`). */
export class RetryOutageError extends /*#__PURE__*/ Data.TaggedError("RetryOutageError")<
  CallSite & { readonly status: number; readonly location: string | undefined; readonly requestId: string; readonly message: string }
> {}

/** Every failure a Huawei Cloud call can have. */
export type HuaweiCloudError = ServiceResponseError<string> | RetryOutageError | SdkError

/** The category of an answer, for retries and the breaker. */
export const categoryOf = (status: number, code: string): Category =>
  status === 429 || code === "APIGW.0308"
    ? "throttling"
    : status === 502 || status === 503 || status === 504
      ? "unavailable"
      : status >= 500
        ? "internal"
        : "client"

/** Which of the Huawei SDK's exception classes a failure is. */
export type Kind =
  | "HostUnreachable"
  | "SslHandShake"
  | "Connection"
  | "CallTimeout"
  | "RetryOutage"
  | "ClientRequest"
  | "ServerResponse"
  | "ServiceResponse"
  | "Other"

/** Name the Huawei SDK class of a failure (`HostUnreachable` is also a `Connection`, etc.). */
export const kindOf = (e: unknown): Kind => {
  if (isServiceResponseError(e)) return e.kind
  if (Predicate.isTagged(e, "RetryOutageError")) return "RetryOutage"
  if (Predicate.isTagged(e, "TimeoutError")) return "CallTimeout"
  if (Predicate.isTagged(e, "NetworkError")) {
    const reason = (e as { reason?: string }).reason
    return reason === "DNS" || reason === "Connect" ? "HostUnreachable" : reason === "TLS" ? "SslHandShake" : "Connection"
  }
  return "Other"
}

/** `ConnectionException` and its subclasses. */
export const isConnection = (e: unknown): boolean => ["HostUnreachable", "SslHandShake", "Connection"].includes(kindOf(e))
/** `RequestTimeoutException` and its subclasses (call timeout, retry outage). */
export const isRequestTimeout = (e: unknown): boolean => ["CallTimeout", "RetryOutage"].includes(kindOf(e))
/** `ClientRequestException`: a 4xx answer. */
export const isClientRequest = (e: unknown): e is ServiceResponseError => isServiceResponseError(e) && e.kind === "ClientRequest"
/** `ServerResponseException`: a 5xx answer. */
export const isServerResponse = (e: unknown): e is ServiceResponseError => isServiceResponseError(e) && e.kind === "ServerResponse"

// -------------------------------------------------------------------------------------------------
// reading an error body

const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["error_code", "error_msg"],
  ["errorCode", "errorMsg"],
  ["code", "message"]
]

const findPair = (v: unknown, depth: number): { code: string; msg: string } | undefined => {
  if (depth > 4 || typeof v !== "object" || v === null || Array.isArray(v)) return undefined
  const o = v as Record<string, unknown>
  for (const [c, m] of PAIRS) {
    if ((typeof o[c] === "string" || typeof o[c] === "number") && o[c] !== "") return { code: String(o[c]), msg: typeof o[m] === "string" ? o[m] : "" }
  }
  for (const k of Object.keys(o)) {
    const inner = findPair(o[k], depth + 1)
    if (inner !== undefined) return inner
  }
  return undefined
}

/**
 * Read Huawei's error document: the first of `error_code/error_msg`, `errorCode/errorMsg`,
 * `code/message`, else the same inside nested objects (`{"error":{"code","message"}}`); without
 * one, the code is the HTTP status and the message the body text.
 */
export const parseErrorBody = (
  status: number,
  body: string
): { readonly errorCode: string; readonly errorMsg: string; readonly encodedAuthorizationMessage: string | undefined; readonly requestId: string | undefined } => {
  let parsed: unknown
  try {
    parsed = body === "" ? undefined : JSON.parse(body)
  } catch {
    parsed = undefined
  }
  const pair = findPair(parsed, 0)
  const o = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {}
  return {
    errorCode: pair?.code ?? String(status),
    errorMsg: pair?.msg ?? body.slice(0, 512),
    encodedAuthorizationMessage: typeof o.encoded_authorization_message === "string" ? o.encoded_authorization_message : undefined,
    requestId: typeof o.request_id === "string" ? o.request_id : undefined
  }
}

/** The error for an answer with status ≥ 400. */
export const fromAnswer = (status: number, body: string, requestIdHeader: string | undefined, site: CallSite): ServiceResponseError => {
  const p = parseErrorBody(status, body)
  return new ServiceResponseError({
    ...site,
    code: p.errorCode,
    errorCode: p.errorCode,
    errorMsg: p.errorMsg,
    status,
    requestId: requestIdHeader ?? p.requestId ?? "",
    encodedAuthorizationMessage: p.encodedAuthorizationMessage,
    kind: status >= 500 ? "ServerResponse" : status >= 400 ? "ClientRequest" : "ServiceResponse",
    category: categoryOf(status, p.errorCode)
  })
}
