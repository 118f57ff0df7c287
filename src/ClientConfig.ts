/**
 * The API 3.0 client's configuration: its options, validated once when the layer is built, and
 * the per-call overrides merged onto them, re-validating only what a call changes. One path for
 * both, so an option and its per-call override are checked by the same rule and named the same
 * way in errors.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { HttpExchange } from "./core/Engine.js"
import type { CallOverrides } from "./core/Overrides.js"
import * as Endpoint from "./Endpoint.js"
import { RequestValidationError } from "./Errors.js"
import { VERSION } from "./internal/version.js"
import type * as RegionBreaker from "./RegionBreaker.js"
import type * as Retry from "./Retry.js"
import type * as Signer from "./Signer.js"

export type { HttpExchange } from "./core/Engine.js"

/** Client options (validated when the layer is built). */
export interface ClientOptions {
  /** Region sent as `X-TC-Region`, e.g. `ap-guangzhou`. Unset for global services. */
  readonly region?: string | undefined
  /** `X-TC-Language`: `zh-CN` or `en-US`; unset sends no header. */
  readonly language?: "zh-CN" | "en-US" | undefined
  /** `POST` (default) or `GET`. Upload actions always use POST. */
  readonly method?: "GET" | "POST" | undefined
  /** `TC3-HMAC-SHA256` (default), `HmacSHA256` or `HmacSHA1` (v1). */
  readonly signMethod?: Signer.SignatureMethod | undefined
  /** Per-request timeout (default 60 s); the request is aborted when it fires. */
  readonly timeout?: Duration.DurationInput | undefined
  /** `https` (default) or `http`. */
  readonly scheme?: "https" | "http" | undefined
  /** A custom endpoint (`host`, `host:port` or URL) used for every service. */
  readonly endpoint?: string | undefined
  /** Root domain for `<service>.<root>` (default `tencentcloudapi.com`). */
  readonly rootDomain?: string | undefined
  /** Use `<service>.<region>.<root>` when a region is set. */
  readonly regionalEndpoint?: boolean | undefined
  /**
   * Send every request to this address (e.g. the local emulator, `http://127.0.0.1:4599`) while
   * keeping the logical `Host` header and signature, and adding `X-TC-Service`. Needs a transport
   * that sends the given Host header (the Node undici layer does; fetch does not).
   */
  readonly connectTo?: string | undefined
  /** Headers added to every request (per-call headers win; SDK X-TC-* headers win over both). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Retry policy of this client (per-call `Retry.withRetryPolicy` wins). Default `Retry.defaultPolicy`. */
  readonly retryPolicy?: Retry.RetryPolicy | undefined
  /** TC3: do not hash the body (`X-TC-Content-SHA256: UNSIGNED-PAYLOAD`). */
  readonly unsignedPayload?: boolean | undefined
  /** Enable the region breaker with these settings (or `true` for defaults). A `RegionBreaker` in the context wins. */
  readonly breaker?: boolean | Partial<RegionBreaker.BreakerSettings> | undefined
  /** Extra identification appended to `X-TC-RequestClient` (`[0-9a-zA-Z-_,;.]`, at most 128 chars). */
  readonly requestClient?: string | undefined
  /** A debugging hook that sees every raw request and response, secrets redacted. */
  readonly httpListener?: ((exchange: HttpExchange) => Effect.Effect<void>) | undefined
  /** Largest answer read, in bytes (default 64 MiB); a larger one fails with `ResponseTooLargeError`. */
  readonly maxResponseBytes?: number | undefined
  /**
   * Longest pause between two server-sent events of a streaming action before the stream ends with
   * `TimeoutError` (default 120 s). The per-request `timeout` covers the wait for the stream's head.
   */
  readonly streamIdleTimeout?: Duration.DurationInput | undefined
  /**
   * Wrap the `HttpClient` the client sends with (tracing, a proxy of your own, extra retries).
   * A wrapped client is used as given: the undici fast lane is bypassed.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/** Validated options. */
export interface Resolved {
  readonly region: string | undefined
  readonly language: "zh-CN" | "en-US" | undefined
  readonly method: "GET" | "POST"
  readonly signMethod: Signer.SignatureMethod
  readonly timeoutMillis: number
  readonly scheme: "https" | "http"
  readonly endpoint: string | undefined
  readonly rootDomain: string | undefined
  readonly regionalEndpoint: boolean
  readonly connectTo: Endpoint.ResolvedEndpoint | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly requestClient: string
  readonly unsignedPayload: boolean
  readonly maxResponseBytes: number | undefined
  readonly streamIdleTimeoutMillis: number
}

/** What one call uses after the overrides: validated, only what changed re-checked. */
export interface PerCall {
  readonly region: string | undefined
  readonly language: "zh-CN" | "en-US" | undefined
  readonly method: "GET" | "POST"
  readonly endpoint: string | undefined
}

const REQUEST_CLIENT = /^[0-9a-zA-Z\-_,;.]{1,128}$/

/** A positive timeout in milliseconds, or the error naming the `timeout` option. */
export const parseTimeout = (input: Duration.DurationInput): Either.Either<number, RequestValidationError> => {
  const d = Duration.decodeUnknown(input)
  return Option.isSome(d) && Duration.toMillis(d.value) > 0
    ? Either.right(Duration.toMillis(d.value))
    : Either.left(RequestValidationError.make({ field: "timeout", problem: `${String(input)} is not a positive duration`, fix: "use e.g. \"30 seconds\" or a number of milliseconds" }))
}

const bad = (field: string, problem: string, fix: string) => Either.left(RequestValidationError.make({ field, problem, fix }))

/** Validate client options; the first problem is reported with the option's name. */
export const resolve = (o: ClientOptions): Either.Either<Resolved, RequestValidationError> => {
  if (o.region !== undefined && o.region !== "") {
    const r = Endpoint.validateRegion(o.region)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  if (o.language !== undefined) {
    const r = Endpoint.validateLanguage(o.language)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  let method: "GET" | "POST" = "POST"
  if (o.method !== undefined) {
    const r = Endpoint.validateMethod(o.method)
    if (Either.isLeft(r)) return Either.left(r.left)
    method = r.right
  }
  const signMethod = o.signMethod ?? "TC3-HMAC-SHA256"
  if (signMethod !== "TC3-HMAC-SHA256" && signMethod !== "HmacSHA256" && signMethod !== "HmacSHA1") {
    return bad("signMethod", `${JSON.stringify(signMethod)} is not a signature method`, "use \"TC3-HMAC-SHA256\" (default), \"HmacSHA256\" or \"HmacSHA1\"")
  }
  if (o.scheme !== undefined && o.scheme !== "https" && o.scheme !== "http") {
    return bad("scheme", `${JSON.stringify(o.scheme)} is not a scheme`, "use \"https\" (default) or \"http\"")
  }
  const scheme = o.scheme ?? "https"
  if (o.endpoint !== undefined && o.endpoint !== "") {
    const r = Endpoint.parseEndpoint(o.endpoint, scheme)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  if (o.rootDomain !== undefined && o.rootDomain !== "") {
    const r = Endpoint.validateRootDomain(o.rootDomain)
    if (Either.isLeft(r)) return Either.left(r.left)
  }
  let connectTo: Endpoint.ResolvedEndpoint | undefined
  if (o.connectTo !== undefined && o.connectTo !== "") {
    const r = Endpoint.parseEndpoint(o.connectTo, "http", "connectTo")
    if (Either.isLeft(r)) return Either.left(r.left)
    connectTo = r.right
  }
  let timeoutMillis = 60_000
  if (o.timeout !== undefined) {
    const t = parseTimeout(o.timeout)
    if (Either.isLeft(t)) return Either.left(t.left)
    timeoutMillis = t.right
  }
  let requestClient = `effect-tencentcloud/${VERSION}`
  if (o.requestClient !== undefined) {
    if (!REQUEST_CLIENT.test(o.requestClient)) {
      return bad("requestClient", `${JSON.stringify(o.requestClient)} has characters outside [0-9a-zA-Z-_,;.] or is longer than 128`, "use a short identifier such as \"my-app;1.2\"")
    }
    requestClient += `; ${o.requestClient}`
  }
  if (o.maxResponseBytes !== undefined && !(Number.isSafeInteger(o.maxResponseBytes) && o.maxResponseBytes > 0)) {
    return bad("maxResponseBytes", `${String(o.maxResponseBytes)} is not a positive whole number of bytes`, "use e.g. 64 * 1024 * 1024, or leave it unset for the 64 MiB default")
  }
  let streamIdleTimeoutMillis = 120_000
  if (o.streamIdleTimeout !== undefined) {
    const t = parseTimeout(o.streamIdleTimeout)
    if (Either.isLeft(t)) return bad("streamIdleTimeout", t.left.message, "use e.g. \"2 minutes\"")
    streamIdleTimeoutMillis = t.right
  }
  return Either.right({
    region: o.region === "" ? undefined : o.region,
    language: o.language,
    method,
    signMethod,
    timeoutMillis,
    scheme,
    endpoint: o.endpoint === "" ? undefined : o.endpoint,
    rootDomain: o.rootDomain === "" ? undefined : o.rootDomain,
    regionalEndpoint: o.regionalEndpoint ?? false,
    connectTo,
    headers: o.headers ?? {},
    requestClient,
    unsignedPayload: o.unsignedPayload ?? false,
    maxResponseBytes: o.maxResponseBytes,
    streamIdleTimeoutMillis
  })
}

/** Merge the per-call overrides onto the client's values, validating only what the call sets. */
export const perCall = (cfg: Resolved, ov: CallOverrides): Either.Either<PerCall, RequestValidationError> => {
  let region = cfg.region
  if (ov.region !== undefined) {
    const r = Endpoint.validateRegion(ov.region)
    if (Either.isLeft(r)) return Either.left(r.left)
    region = ov.region
  }
  let language = cfg.language
  if (ov.language !== undefined) {
    const r = Endpoint.validateLanguage(ov.language)
    if (Either.isLeft(r)) return Either.left(r.left)
    language = r.right
  }
  let method = cfg.method
  if (ov.method !== undefined) {
    const r = Endpoint.validateMethod(ov.method)
    if (Either.isLeft(r)) return Either.left(r.left)
    method = r.right
  }
  return Either.right({ region, language, method, endpoint: ov.endpoint ?? cfg.endpoint })
}

/** {@link resolve} as an Effect, for layers. */
export const make = (o: ClientOptions): Effect.Effect<Resolved, RequestValidationError> => {
  const r = resolve(o)
  return Either.isRight(r) ? Effect.succeed(r.right) : Effect.fail(r.left)
}
