/**
 * The legacy Tencent Cloud API 2.0 client, in the manner of the qcloudapi SDKs: call any
 * module's action by name (`Legacy.call("cvm", "DescribeInstances", { instanceIds: ["ins-1"] })`),
 * or get a signed URL without sending anything (`Legacy.generateUrl`, or the pure
 * {@link signUrl} with an explicit timestamp and nonce).
 *
 * API 2.0 is one host per module (`<module>.api.qcloud.com`; `sec` is `csec.api.qcloud.com`),
 * path `/v2/index.php`, every parameter in the query (GET) or a form (POST), the v1 signature
 * (HmacSHA1 by default, HmacSHA256 on request) and answers `{"code": 0, "message": "", "codeDesc":
 * "Success", ...}`. It runs on the shared engine: the same `Credentials` layers, transports,
 * retries (`Errors.classify` sees an API 2.0 `RequestLimitExceeded` as throttling), timeouts,
 * spans and debugging hook as API 3.0, and the same per-call combinators: `Client.withRegion`,
 * `Client.withMethod`, `Client.withEndpoint`, `Client.withTimeout`, `Client.withHeaders`; a
 * `Credentials` layer provided around a call signs that call.
 *
 * @example
 * ```ts
 * const Live = Legacy.layer({ region: "ap-guangzhou", signatureMethod: "HmacSHA256" }).pipe(
 *   Layer.provide(Credentials.layerDefault),
 *   Layer.provide(UndiciHttpClient.layerDefault)
 * )
 * const answer = Legacy.call("sec", "CaptchaQuery", { userIp: "127.0.0.1", businessId: 1, captchaType: 1, script: 0 })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { HttpClient as HttpClientTag } from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Engine from "../core/Engine.js"
import { CurrentOverrides } from "../core/Overrides.js"
import { Credentials, type CredentialsService } from "../Credentials.js"
import * as Endpoint from "../Endpoint.js"
import { classify, type CredentialsError, RequestValidationError, type SdkError } from "../Errors.js"
import * as Retry from "../Retry.js"
import type { CommonCode, LegacyApiError, LegacyApiErrorOf } from "./internal/errors.js"
import { checkHost, DEFAULT_BASE_DOMAIN, DEFAULT_PATH } from "./internal/hosts.js"
import * as Protocol from "./internal/protocol.js"
import type { SignatureMethod } from "./internal/sign.js"

export { categoryOf, codeName, type CommonCode, commonCodes, isLegacyApiError, LegacyApiError, type LegacyApiErrorOf, NUMERIC_CODE_NAMES } from "./internal/errors.js"
export { DEFAULT_BASE_DOMAIN, DEFAULT_PATH, HOST_LABELS, KNOWN_MODULES } from "./internal/hosts.js"
export { GET_LIMIT, POST_LIMIT, type LegacyResult } from "./internal/protocol.js"
export { sign, type SignatureMethod, type SignInput, type Signed, stringToSign } from "./internal/sign.js"
export type { HttpExchange } from "../core/Engine.js"

/** Options of an API 2.0 client. Everything has a default. */
export interface LegacyOptions {
  /** `Region` sent with every call (none by default; `Client.withRegion` or a `Region` parameter per call). */
  readonly region?: string | undefined
  /** `POST` (the default: form body, up to 1 MB, nothing secret in URLs) or `GET` (query, up to 32 KB). */
  readonly method?: "GET" | "POST" | undefined
  /** `HmacSHA1` (the default, as in the qcloudapi SDKs) or `HmacSHA256`. */
  readonly signatureMethod?: SignatureMethod | undefined
  /** Hosts by module name, added to / replacing the built-in table (`{ sec: "csec.api.qcloud.com" }`). */
  readonly hosts?: Readonly<Record<string, string>> | undefined
  /** Domain of `<module>.<baseDomain>`; default `api.qcloud.com`. */
  readonly baseDomain?: string | undefined
  /** Accept only the known API 2.0 modules and those in `hosts` (default: any well-formed name). */
  readonly strictModules?: boolean | undefined
  /** Default `https`. */
  readonly scheme?: "https" | "http" | undefined
  /** Default `/v2/index.php`. */
  readonly path?: string | undefined
  /** Per-attempt timeout; default 60 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Sent as the `RequestClient` parameter (`[0-9a-zA-Z-_,;.]`, at most 128 characters); none by default. */
  readonly requestClient?: string | undefined
  /** Retry policy of this client (per-call `Retry.withRetryPolicy` wins). Default {@link defaultRetryPolicy}. */
  readonly retryPolicy?: Retry.RetryPolicy | undefined
  /** Send every request to this address (the emulator), keeping the signed `Host`. */
  readonly connectTo?: string | undefined
  /** A debugging hook that sees every raw request and response, secrets redacted. */
  readonly httpListener?: ((exchange: Engine.HttpExchange) => Effect.Effect<void>) | undefined
  /** Largest answer read, in bytes (default 64 MiB). */
  readonly maxResponseBytes?: number | undefined
}

/**
 * Any error of an API 2.0 call: the common codes one by one (so `catchTag` hands the handler a
 * typed error), any other code as `LegacyApiError<string>`, and the SDK's own errors.
 */
export type LegacyError = LegacyApiErrorOf<CommonCode> | LegacyApiError<string> | SdkError

/**
 * The retry condition of API 2.0 calls: the shared `Errors.classify` rule (throttling always;
 * transport failures, 5xx pages and `ServiceUnavailable` when the action is safe to repeat;
 * never `InternalError` or client errors).
 */
export const isRetryable = (error: unknown, ctx: Retry.RetryContext): boolean => {
  const c = classify(error)
  return c.retry === "always" || (c.retry === "ifSafe" && ctx.safe)
}

/** The default retry policy of API 2.0 clients: `Retry.make`'s schedule with {@link isRetryable}. */
export const defaultRetryPolicy: Retry.RetryPolicy = /*#__PURE__*/ Retry.make({ retryOn: isRetryable })

/** The client service. */
export interface LegacyService {
  /** Call `action` of `module`; the decoded answer (`code` 0) or a typed error. */
  readonly call: (module: string, action: string, params?: Readonly<Record<string, unknown>>) => Effect.Effect<Protocol.LegacyResult, LegacyError>
  /** A signed GET URL for the call, built with the credentials, clock and overrides in force; nothing is sent. */
  readonly generateUrl: (
    module: string,
    action: string,
    params?: Readonly<Record<string, unknown>>
  ) => Effect.Effect<string, RequestValidationError | CredentialsError>
}

/** The API 2.0 client service tag. */
export class Legacy extends Context.Tag("effect-tencentcloud/Legacy")<Legacy, LegacyService>() {}

/** The per-call signature method (`undefined`: the client's). */
export class CurrentSignatureMethod extends Context.Reference<CurrentSignatureMethod>()("effect-tencentcloud/Legacy/CurrentSignatureMethod", {
  defaultValue: (): SignatureMethod | undefined => undefined
}) {}

/** Sign the calls of an effect with another v1 signature method. */
export const withSignatureMethod: {
  (method: SignatureMethod): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, method: SignatureMethod): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, method: SignatureMethod) =>
  Effect.provideService(self, CurrentSignatureMethod, method))

const optionError = (field: string, problem: string, fix: string) => Either.left(RequestValidationError.make({ field, problem, fix }))

const REQUEST_CLIENT = /^[0-9a-zA-Z\-_,;.]{1,128}$/

/** Check options and fill in the defaults. */
export const resolveOptions = (o: LegacyOptions = {}): Either.Either<Protocol.LegacyConfig & { readonly connectTo: Endpoint.ResolvedEndpoint | undefined }, RequestValidationError> => {
  if (o.region !== undefined && o.region !== "" && !/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(o.region)) {
    return optionError("region", `${JSON.stringify(o.region)} is not a region name`, "use e.g. \"ap-guangzhou\"")
  }
  const method = o.method ?? "POST"
  if (method !== "GET" && method !== "POST") return optionError("method", `${JSON.stringify(method)} is not GET or POST`, "use \"GET\" or \"POST\"")
  const signatureMethod = o.signatureMethod ?? "HmacSHA1"
  if (!Protocol.isSignatureMethod(signatureMethod)) {
    return optionError("signatureMethod", `${JSON.stringify(signatureMethod)} is not a v1 signature method`, "use \"HmacSHA1\" or \"HmacSHA256\"")
  }
  const hosts = o.hosts ?? {}
  for (const k of Object.keys(hosts)) {
    const bad = checkHost(hosts[k])
    if (bad !== undefined) return optionError(`hosts.${k}`, bad, "give a host such as \"csec.api.qcloud.com\" or host:port")
  }
  const baseDomain = o.baseDomain ?? DEFAULT_BASE_DOMAIN
  const badBase = checkHost(baseDomain)
  if (badBase !== undefined) return optionError("baseDomain", badBase, "give a domain such as \"api.qcloud.com\"")
  const scheme = o.scheme ?? "https"
  if (scheme !== "https" && scheme !== "http") return optionError("scheme", `${JSON.stringify(scheme)} is not http or https`, "use \"https\" or \"http\"")
  const path = o.path ?? DEFAULT_PATH
  if (!path.startsWith("/") || /[?#\s]/.test(path)) return optionError("path", `${JSON.stringify(path)} is not a URL path`, "give a path such as \"/v2/index.php\"")
  let timeoutMillis = 60_000
  if (o.timeout !== undefined) {
    const d = Duration.decodeUnknown(o.timeout)
    if (Option.isNone(d) || !(Duration.toMillis(d.value) > 0)) return optionError("timeout", `${String(o.timeout)} is not a positive duration`, "use e.g. \"30 seconds\"")
    timeoutMillis = Duration.toMillis(d.value)
  }
  if (o.requestClient !== undefined && !REQUEST_CLIENT.test(o.requestClient)) {
    return optionError("requestClient", `${JSON.stringify(o.requestClient)} has characters outside [0-9a-zA-Z-_,;.] or is longer than 128`, "use a short name such as \"my-app\"")
  }
  let connectTo: Endpoint.ResolvedEndpoint | undefined
  if (o.connectTo !== undefined && o.connectTo !== "") {
    const r = Endpoint.parseEndpoint(o.connectTo, "http", "connectTo")
    if (Either.isLeft(r)) return Either.left(r.left)
    connectTo = r.right
  }
  return Either.right({
    region: o.region === "" ? undefined : o.region,
    method,
    signatureMethod,
    table: { hosts, baseDomain, strict: o.strictModules === true },
    scheme,
    path,
    timeoutMillis,
    requestClient: o.requestClient,
    connectTo
  })
}

/** Build the client service. Requires `Credentials` and an `HttpClient`. */
export const make = (
  options: LegacyOptions = {}
): Effect.Effect<LegacyService, RequestValidationError, Credentials | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const cfg = resolveOptions(options)
    if (Either.isLeft(cfg)) return yield* Effect.fail(cfg.left)
    const config = cfg.right
    const own = yield* Credentials
    const http = yield* HttpClientTag
    const protocol = Protocol.make(config)
    const engines = new WeakMap<CredentialsService, Engine.Engine>()
    const engineFor = (credentials: CredentialsService): Engine.Engine => {
      let e = engines.get(credentials)
      if (e === undefined) {
        e = Engine.make({
          credentials,
          http,
          retryPolicy: options.retryPolicy ?? defaultRetryPolicy,
          listener: options.httpListener,
          connectTo: config.connectTo,
          maxResponseBytes: options.maxResponseBytes
        })
        engines.set(credentials, e)
      }
      return e
    }
    // a Credentials service provided around a call signs that call
    const credentialsInForce = Effect.map(Effect.serviceOption(Credentials), Option.getOrElse(() => own))
    return {
      call: (module, action, params) =>
        Effect.flatMap(Effect.zip(credentialsInForce, CurrentSignatureMethod), ([credentials, signatureMethod]) =>
          engineFor(credentials).call(protocol, { module, action, params, signatureMethod })
        ),
      generateUrl: (module, action, params) =>
        Effect.gen(function* () {
          const ov = yield* CurrentOverrides
          const signatureMethod = yield* CurrentSignatureMethod
          const laid = protocol.layout({ module, action, params, signatureMethod, forceGet: true }, ov)
          if (Either.isLeft(laid)) return yield* Effect.fail(laid.left)
          const credentials = yield* credentialsInForce
          const credential = yield* credentials.get
          const now = yield* Clock.currentTimeMillis
          const nonce = yield* Random.nextIntBetween(1, 2147483647)
          const out = protocol.sign(laid.right, laid.right.primary, credential, now, nonce)
          return Either.isLeft(out) ? yield* Effect.fail(out.left) : out.right.url
        })
    } satisfies LegacyService
  })

/** The client layer from values. */
export const layer = (
  options: LegacyOptions = {}
): Layer.Layer<Legacy, RequestValidationError, Credentials | HttpClient.HttpClient> => Layer.effect(Legacy, make(options))

/**
 * The client options read from `Config` (the environment by default): `TENCENTCLOUD_REGION`,
 * `TENCENTCLOUD_LEGACY_METHOD`, `TENCENTCLOUD_LEGACY_SIGNATURE_METHOD`,
 * `TENCENTCLOUD_LEGACY_BASE_DOMAIN`, `TENCENTCLOUD_LEGACY_SCHEME`, `TENCENTCLOUD_TIMEOUT`.
 */
export const optionsConfig: Config.Config<LegacyOptions> = /*#__PURE__*/ Config.all({
  region: Config.option(Config.string("TENCENTCLOUD_REGION")),
  method: Config.option(Config.string("TENCENTCLOUD_LEGACY_METHOD")),
  signatureMethod: Config.option(Config.string("TENCENTCLOUD_LEGACY_SIGNATURE_METHOD")),
  baseDomain: Config.option(Config.string("TENCENTCLOUD_LEGACY_BASE_DOMAIN")),
  scheme: Config.option(Config.string("TENCENTCLOUD_LEGACY_SCHEME")),
  timeout: Config.option(Config.duration("TENCENTCLOUD_TIMEOUT"))
}).pipe(
  Config.map((c) => {
    const o: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(c)) if (Option.isSome(v as Option.Option<unknown>)) o[k] = (v as Option.Some<unknown>).value
    return o as LegacyOptions
  })
)

/** The client layer with options read from `Config` (see {@link optionsConfig}); `overrides` win. */
export const layerConfig = (
  overrides: LegacyOptions = {}
): Layer.Layer<Legacy, RequestValidationError | ConfigError.ConfigError, Credentials | HttpClient.HttpClient> =>
  Layer.effect(Legacy, Effect.flatMap(optionsConfig, (fromEnv) => make({ ...fromEnv, ...overrides })))

/**
 * Call any action of any module by name. Succeeds with the whole decoded answer (`code`,
 * `message`, `codeDesc` and the action's members; integers beyond 2^53 as `bigint`).
 *
 * @example
 * ```ts
 * Legacy.call("cvm", "DescribeInstances", { instanceIds: ["ins-1"], limit: 20 }).pipe(
 *   Client.withRegion("ap-shanghai"),
 *   Effect.catchTag("InvalidParameter", (e) => Effect.succeed({ failed: e.serverMessage }))
 * )
 * ```
 */
export const call = (
  module: string,
  action: string,
  params: Readonly<Record<string, unknown>> = {}
): Effect.Effect<Protocol.LegacyResult, LegacyError, Legacy> => Effect.flatMap(Legacy, (l) => l.call(module, action, params))

/** A signed GET URL for a call, with the credentials, clock, region and signature method in force. Nothing is sent. */
export const generateUrl = (
  module: string,
  action: string,
  params: Readonly<Record<string, unknown>> = {}
): Effect.Effect<string, RequestValidationError | CredentialsError, Legacy> => Effect.flatMap(Legacy, (l) => l.generateUrl(module, action, params))

/** Inputs of {@link signUrl}: the call, the key, the instant and the nonce, and any client options. */
export interface SignUrlInput extends Pick<LegacyOptions, "region" | "signatureMethod" | "hosts" | "baseDomain" | "strictModules" | "scheme" | "path" | "requestClient"> {
  readonly module: string
  readonly action: string
  readonly params?: Readonly<Record<string, unknown>> | undefined
  readonly secretId: string
  readonly secretKey: string | Redacted.Redacted<string>
  readonly token?: string | Redacted.Redacted<string> | undefined
  /** Unix seconds. */
  readonly timestamp: number
  /** A positive integer. */
  readonly nonce: number | bigint
}

/** A signed GET URL, from explicit inputs: pure, the same inputs give the same URL. */
export const signUrl = (input: SignUrlInput): Either.Either<string, RequestValidationError> => {
  const cfg = resolveOptions({ ...input, method: "GET" })
  if (Either.isLeft(cfg)) return Either.left(cfg.left)
  if (!(typeof input.nonce === "bigint" ? input.nonce > 0n : Number.isSafeInteger(input.nonce) && input.nonce > 0)) return optionError("nonce", `${String(input.nonce)} is not a positive integer`, "give e.g. 11886")
  if (!Number.isFinite(input.timestamp) || input.timestamp < 0) return optionError("timestamp", `${String(input.timestamp)} is not a Unix time`, "give seconds since the epoch")
  const protocol = Protocol.make(cfg.right)
  const laid = protocol.layout({ module: input.module, action: input.action, params: input.params, forceGet: true }, {})
  if (Either.isLeft(laid)) return Either.left(laid.left)
  const secret = (s: string | Redacted.Redacted<string>) => (Redacted.isRedacted(s) ? s : Redacted.make(s))
  const out = protocol.signWith(
    laid.right,
    laid.right.primary,
    { secretId: input.secretId, secretKey: secret(input.secretKey), token: input.token === undefined ? undefined : secret(input.token) },
    Math.floor(input.timestamp) * 1000,
    input.nonce
  )
  return Either.map(out, (o) => o.url)
}
