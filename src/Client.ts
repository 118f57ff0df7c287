/**
 * The Tencent Cloud API 3.0 client: the `TencentCloud` service that every generated action
 * requires, its layers, the generic `call` for any action, and the per-call knobs (region,
 * language, retry policy, endpoint) that never show up in an action's requirements.
 *
 * @since 0.1.0
 */
export {
  type ActionInfo,
  type CallError,
  type CallOptions,
  type ServerSentEvent,
  TencentCloud,
  type TencentCloudService
} from "./TencentCloud.js"
import { type CallError, type CallOptions, type ServerSentEvent, TencentCloud, type TencentCloudService } from "./TencentCloud.js"

// -------------------------------------------------------------------------------------------------
// layers and the generic call

import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { Credentials } from "./Credentials.js"
import type { RequestValidationError } from "./Errors.js"
import * as pipeline from "./internal/pipeline.js"

export type { ClientOptions, CallOverrides, HttpExchange } from "./internal/pipeline.js"
export { redactHeaders, redactForm, interpret, resolveOptions } from "./internal/pipeline.js"

/**
 * Build the client service from options. Requires `Credentials` and an `HttpClient`; uses a
 * `Signer` and a `RegionBreaker` from the context when present. Fails with a
 * `RequestValidationError` naming the bad option.
 */
export const make: (
  options?: pipeline.ClientOptions
) => Effect.Effect<TencentCloudService, RequestValidationError, Credentials | HttpClient.HttpClient> = (options = {}) =>
  pipeline.make(options)

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
  options: pipeline.ClientOptions = {}
): Layer.Layer<TencentCloud, RequestValidationError, Credentials | HttpClient.HttpClient> =>
  Layer.effect(TencentCloud, pipeline.make(options))

/**
 * The client options read from `Config` (the environment by default):
 * `TENCENTCLOUD_REGION`, `TENCENTCLOUD_LANGUAGE`, `TENCENTCLOUD_ENDPOINT`,
 * `TENCENTCLOUD_ROOT_DOMAIN`, `TENCENTCLOUD_SCHEME`, `TENCENTCLOUD_SIGN_METHOD`,
 * `TENCENTCLOUD_REQUEST_METHOD`, `TENCENTCLOUD_TIMEOUT` (a duration such as `30 seconds`),
 * `TENCENTCLOUD_REGIONAL_ENDPOINT` (boolean). Values given in `overrides` win.
 */
export const optionsConfig: Config.Config<pipeline.ClientOptions> = Config.all({
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
    return o as pipeline.ClientOptions
  })
)

/** The client layer with options read from `Config` (see {@link optionsConfig}); `overrides` win. */
export const layerConfig = (
  overrides: pipeline.ClientOptions = {}
): Layer.Layer<TencentCloud, RequestValidationError | ConfigError.ConfigError, Credentials | HttpClient.HttpClient> =>
  Layer.effect(
    TencentCloud,
    Effect.flatMap(optionsConfig, (fromEnv) => pipeline.make({ ...fromEnv, ...overrides }))
  )

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
): Effect.Effect<Record<string, unknown>, CallError, TencentCloud> =>
  Effect.flatMap(TencentCloud, (c) => c.call({ service, version, action }, params, options))

/** Stream any streaming (server-sent events) action by name. */
export const stream = (
  service: string,
  version: string,
  action: string,
  params: Readonly<Record<string, unknown>> = {},
  options?: CallOptions
): Stream.Stream<ServerSentEvent, CallError, TencentCloud> =>
  Stream.unwrap(Effect.map(TencentCloud, (c) => c.stream({ service, version, action }, params, options)))


/** A dual per-call override: sets one field of the call overrides for the effects inside. */
const overrideWith = <V>(set: (o: pipeline.CallOverrides, value: V) => pipeline.CallOverrides): {
  (value: V): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, value: V): Effect.Effect<A, E, R>
} =>
  dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, value: V) =>
    Effect.flatMap(pipeline.CurrentOverrides, (o) => Effect.provideService(self, pipeline.CurrentOverrides, set(o, value))))

/** Call in another region (validated when the call runs). */
export const withRegion = overrideWith<string>((o, region) => ({ ...o, region }))

/** Call with another `X-TC-Language` (`zh-CN` or `en-US`). */
export const withLanguage = overrideWith<"zh-CN" | "en-US">((o, language) => ({ ...o, language }))

/** Call another endpoint (`host`, `host:port` or URL). */
export const withEndpoint = overrideWith<string>((o, endpoint) => ({ ...o, endpoint }))

/** Add headers to the calls of an effect. */
export const withHeaders = overrideWith<Readonly<Record<string, string>>>((o, headers) => ({ ...o, headers: { ...o.headers, ...headers } }))

/** Use another per-request timeout. */
export const withTimeout = overrideWith<Duration.DurationInput>((o, timeout) => ({ ...o, timeout }))

/** Use another HTTP method (`GET` or `POST`). */
export const withMethod = overrideWith<"GET" | "POST">((o, method) => ({ ...o, method }))
