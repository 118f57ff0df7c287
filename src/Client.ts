/**
 * The Tencent Cloud API 3.0 client: the `TencentCloud` service that every generated action
 * requires, its layers (`make` / `layer` / `layerConfig`), the generic `call` and `stream` for any
 * action, and the per-call options (region, language, endpoint, headers, timeout, method) that work
 * on Effects and Streams alike and never show up in an action's requirements.
 *
 * Underneath, a call is the API 3.0 protocol (`internal/api3.ts`) run by the shared engine
 * (`core/Engine.ts`): the same engine that runs COS, the legacy API 2.0 and Huawei Cloud.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ActionInfo, CallError, CallOptions, ServerSentEvent } from "./core/Call.js"
import * as Engine from "./core/Engine.js"
import { override } from "./core/Overrides.js"
import * as ClientConfig from "./ClientConfig.js"
import { Credentials } from "./internal/credentials/service.js"
import * as Endpoint from "./Endpoint.js"
import { type RequestValidationError, TimeoutError } from "./Errors.js"
import * as Api3 from "./internal/api3.js"
import * as sse from "./internal/sse.js"
import * as RegionBreaker from "./RegionBreaker.js"
import * as Signer from "./Signer.js"

export type { ActionInfo, CallError, CallOptions, ServerSentEvent } from "./core/Call.js"
export type { CallOverrides } from "./core/Overrides.js"
export type { ClientOptions, HttpExchange } from "./ClientConfig.js"

/** The service shape. */
export interface TencentCloudService {
  /**
   * Call one action with parameters already in wire form. Succeeds with the `Response` object
   * (`RequestId` included), parsed losslessly (integers beyond 2^53 as `bigint`).
   */
  readonly call: (
    info: ActionInfo,
    params: Readonly<Record<string, unknown>>,
    options?: CallOptions
  ) => Effect.Effect<Record<string, unknown>, CallError>
  /**
   * Call a streaming action (server-sent events). A JSON answer instead of a stream becomes a
   * single event whose data is the JSON text; an API error fails the stream.
   */
  readonly stream: (
    info: ActionInfo,
    params: Readonly<Record<string, unknown>>,
    options?: CallOptions
  ) => Stream.Stream<ServerSentEvent, CallError>
}

/** The client service every generated action requires. */
export class TencentCloud extends /*#__PURE__*/ Context.Tag("effect-tencentcloud/TencentCloud")<TencentCloud, TencentCloudService>() {}

/**
 * Build the client service from options. Requires `Credentials` and an `HttpClient`; uses a
 * `Signer` and a `RegionBreaker` from the context when present. Fails with a
 * `RequestValidationError` naming the bad option.
 */
export const make = (
  options: ClientConfig.ClientOptions = {}
): Effect.Effect<TencentCloudService, RequestValidationError, Credentials | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const cfg = yield* ClientConfig.make(options)
    const credentials = yield* Credentials
    const http = yield* HttpClient.HttpClient
    const signer = Option.getOrElse(yield* Effect.serviceOption(Signer.Signer), () => Signer.make(cfg.signMethod))
    const fromContext = yield* Effect.serviceOption(RegionBreaker.RegionBreaker)
    const breaker = Option.isSome(fromContext)
      ? fromContext.value
      : options.breaker
        ? yield* RegionBreaker.make(options.breaker === true ? {} : options.breaker)
        : RegionBreaker.disabled
    const engine = Engine.make({
      credentials,
      http: options.transformClient ? options.transformClient(http) : http,
      breaker,
      retryPolicy: options.retryPolicy,
      listener: options.httpListener,
      connectTo: cfg.connectTo,
      maxResponseBytes: cfg.maxResponseBytes
    })
    const protocol = Api3.make(cfg, signer)
    return {
      call: (info, params, callOptions) => engine.call(protocol, { info, params: params ?? {}, options: callOptions }),
      stream: (info, params, callOptions) =>
        Stream.unwrapScoped(
          Effect.map(engine.stream(protocol, { info, params: params ?? {}, options: callOptions }), (s) =>
            s.streamed
              ? sse.fromBytes(s.body, {
                  millis: cfg.streamIdleTimeoutMillis,
                  onIdle: (ms) =>
                    new TimeoutError({
                      ...s.laid.site,
                      endpoint: s.target.host,
                      timeoutMillis: ms,
                      traceId: s.laid.traceId,
                      message: `no event from ${s.target.host} for ${s.laid.site.service} ${s.laid.site.action} within ${ms} ms; the stream was ended (trace id ${s.laid.traceId}). Raise \`streamIdleTimeout\` if the service pauses longer between events.`
                    })
                })
              : Stream.succeed<ServerSentEvent>({ data: s.text ?? "" })
          )
        )
    } satisfies TencentCloudService
  })

/**
 * The client layer from values.
 *
 * @example
 * ```ts
 * const Live = Client.layer({ region: "ap-guangzhou" }).pipe(
 *   Layer.provide(Credentials.layerDefault),
 *   Layer.provide(UndiciHttpClient.layerDefault)
 * )
 * ```
 */
export const layer = (
  options: ClientConfig.ClientOptions = {}
): Layer.Layer<TencentCloud, RequestValidationError, Credentials | HttpClient.HttpClient> => Layer.effect(TencentCloud, make(options))

/**
 * The client options read from `Config` (the environment by default):
 * `TENCENTCLOUD_REGION`, `TENCENTCLOUD_LANGUAGE`, `TENCENTCLOUD_ENDPOINT`,
 * `TENCENTCLOUD_ROOT_DOMAIN`, `TENCENTCLOUD_SCHEME`, `TENCENTCLOUD_SIGN_METHOD`,
 * `TENCENTCLOUD_REQUEST_METHOD`, `TENCENTCLOUD_TIMEOUT` (a duration such as `30 seconds`),
 * `TENCENTCLOUD_REGIONAL_ENDPOINT` (boolean). Values given in `overrides` win.
 */
export const optionsConfig: Config.Config<ClientConfig.ClientOptions> = /*#__PURE__*/ Config.all({
  region: Config.option(Config.string("TENCENTCLOUD_REGION")),
  language: Config.option(Config.string("TENCENTCLOUD_LANGUAGE")),
  endpoint: Config.option(Config.string("TENCENTCLOUD_ENDPOINT")),
  rootDomain: Config.option(Config.string("TENCENTCLOUD_ROOT_DOMAIN")),
  scheme: Config.option(Config.string("TENCENTCLOUD_SCHEME")),
  signMethod: Config.option(Config.string("TENCENTCLOUD_SIGN_METHOD")),
  method: Config.option(Config.string("TENCENTCLOUD_REQUEST_METHOD")),
  timeout: Config.option(Config.duration("TENCENTCLOUD_TIMEOUT")),
  regionalEndpoint: Config.option(Config.boolean("TENCENTCLOUD_REGIONAL_ENDPOINT"))
}).pipe(
  Config.map((c) => {
    const o: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(c)) if (Option.isSome(v as Option.Option<unknown>)) o[k] = (v as Option.Some<unknown>).value
    return o as ClientConfig.ClientOptions
  })
)

/** The client layer with options read from `Config` (see {@link optionsConfig}); `overrides` win. */
export const layerConfig = (
  overrides: ClientConfig.ClientOptions = {}
): Layer.Layer<TencentCloud, RequestValidationError | ConfigError.ConfigError, Credentials | HttpClient.HttpClient> =>
  Layer.effect(TencentCloud, Effect.flatMap(optionsConfig, (fromEnv) => make({ ...fromEnv, ...overrides })))

/**
 * Call any action by name: the generic client, for actions newer than the generated code too.
 * Succeeds with the `Response` object (without the envelope), `RequestId` included.
 *
 * @example
 * ```ts
 * const zones = Client.call("cvm", "2017-03-12", "DescribeZones", {})
 * ```
 */
export const call = (
  service: string,
  version: string,
  action: string,
  params: Readonly<Record<string, unknown>> = {},
  options?: CallOptions
): Effect.Effect<Record<string, unknown>, CallError, TencentCloud> => {
  const info = infoOf(service, version, action)
  return Either.isLeft(info) ? Effect.fail(info.left) : Effect.flatMap(TencentCloud, (c) => c.call(info.right, params, options))
}

/**
 * An action named by the caller, checked once (not generated constants: checked before any URL is
 * built) and kept, so that its calls share one info, as a generated action's calls do (the layout
 * keeps what it derives from an action per info).
 */
const infos = new Map<string, ActionInfo>()
const infoOf = (service: string, version: string, action: string): Either.Either<ActionInfo, RequestValidationError> => {
  const key = `${service}\n${version}\n${action}`
  const known = infos.get(key)
  if (known !== undefined) return Either.right(known)
  const bad = Endpoint.validateCall(service, version, action)
  if (Either.isLeft(bad)) return Either.left(bad.left)
  if (infos.size >= 1024) infos.clear()
  const info: ActionInfo = { service, version, action }
  infos.set(key, info)
  return Either.right(info)
}

/** Stream any streaming (server-sent events) action by name. */
export const stream = (
  service: string,
  version: string,
  action: string,
  params: Readonly<Record<string, unknown>> = {},
  options?: CallOptions
): Stream.Stream<ServerSentEvent, CallError, TencentCloud> => {
  const info = infoOf(service, version, action)
  return Either.isLeft(info) ? Stream.fail(info.left) : Stream.unwrap(Effect.map(TencentCloud, (c) => c.stream(info.right, params, options)))
}

/** Call in another region (validated when the call runs). Works on Effects and Streams. */
export const withRegion = /*#__PURE__*/ override<string>((o, region) => ({ ...o, region }))

/** Call with another `X-TC-Language` (`zh-CN` or `en-US`). */
export const withLanguage = /*#__PURE__*/ override<"zh-CN" | "en-US">((o, language) => ({ ...o, language }))

/** Call another endpoint (`host`, `host:port` or URL). */
export const withEndpoint = /*#__PURE__*/ override<string>((o, endpoint) => ({ ...o, endpoint }))

/** Add headers to the calls of an effect or stream. */
export const withHeaders = /*#__PURE__*/ override<Readonly<Record<string, string>>>((o, headers) => ({ ...o, headers: { ...o.headers, ...headers } }))

/** Use another per-request timeout. */
export const withTimeout = /*#__PURE__*/ override<Duration.DurationInput>((o, timeout) => ({ ...o, timeout }))

/** Use another HTTP method (`GET` or `POST`). */
export const withMethod = /*#__PURE__*/ override<"GET" | "POST">((o, method) => ({ ...o, method }))
