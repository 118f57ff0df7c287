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
import * as Duration from "effect/Duration"
import * as EffectM from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
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
) => EffectM.Effect<TencentCloudService, RequestValidationError, Credentials | HttpClient.HttpClient> = (options = {}) =>
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
): Layer.Layer<TencentCloud, RequestValidationError | import("effect/ConfigError").ConfigError, Credentials | HttpClient.HttpClient> =>
  Layer.effect(
    TencentCloud,
    EffectM.flatMap(optionsConfig, (fromEnv) => pipeline.make({ ...fromEnv, ...overrides }))
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
): EffectM.Effect<Record<string, unknown>, CallError, TencentCloud> =>
  EffectM.flatMap(TencentCloud, (c) => c.call({ service, version, action }, params, options))

/** Stream any streaming (server-sent events) action by name. */
export const stream = (
  service: string,
  version: string,
  action: string,
  params: Readonly<Record<string, unknown>> = {},
  options?: CallOptions
): StreamM.Stream<ServerSentEvent, CallError, TencentCloud> =>
  StreamM.unwrap(EffectM.map(TencentCloud, (c) => c.stream({ service, version, action }, params, options)))

import * as StreamM from "effect/Stream"

const override = (f: (o: pipeline.CallOverrides) => pipeline.CallOverrides) =>
  <A, E, R>(self: EffectM.Effect<A, E, R>): EffectM.Effect<A, E, R> =>
    EffectM.flatMap(pipeline.CurrentOverrides, (o) => EffectM.provideService(self, pipeline.CurrentOverrides, f(o)))

/** Call in another region (validated when the call runs). */
export const withRegion: {
  (region: string): <A, E, R>(self: EffectM.Effect<A, E, R>) => EffectM.Effect<A, E, R>
  <A, E, R>(self: EffectM.Effect<A, E, R>, region: string): EffectM.Effect<A, E, R>
} = dual(2, <A, E, R>(self: EffectM.Effect<A, E, R>, region: string) => override((o) => ({ ...o, region }))(self))

/** Call with another `X-TC-Language` (`zh-CN` or `en-US`). */
export const withLanguage: {
  (language: "zh-CN" | "en-US"): <A, E, R>(self: EffectM.Effect<A, E, R>) => EffectM.Effect<A, E, R>
  <A, E, R>(self: EffectM.Effect<A, E, R>, language: "zh-CN" | "en-US"): EffectM.Effect<A, E, R>
} = dual(2, <A, E, R>(self: EffectM.Effect<A, E, R>, language: "zh-CN" | "en-US") => override((o) => ({ ...o, language }))(self))

/** Call another endpoint (`host`, `host:port` or URL). */
export const withEndpoint: {
  (endpoint: string): <A, E, R>(self: EffectM.Effect<A, E, R>) => EffectM.Effect<A, E, R>
  <A, E, R>(self: EffectM.Effect<A, E, R>, endpoint: string): EffectM.Effect<A, E, R>
} = dual(2, <A, E, R>(self: EffectM.Effect<A, E, R>, endpoint: string) => override((o) => ({ ...o, endpoint }))(self))

/** Add headers to the calls of an effect. */
export const withHeaders: {
  (headers: Readonly<Record<string, string>>): <A, E, R>(self: EffectM.Effect<A, E, R>) => EffectM.Effect<A, E, R>
  <A, E, R>(self: EffectM.Effect<A, E, R>, headers: Readonly<Record<string, string>>): EffectM.Effect<A, E, R>
} = dual(2, <A, E, R>(self: EffectM.Effect<A, E, R>, headers: Readonly<Record<string, string>>) =>
  override((o) => ({ ...o, headers: { ...o.headers, ...headers } }))(self))

/** Use another per-request timeout. */
export const withTimeout: {
  (timeout: Duration.DurationInput): <A, E, R>(self: EffectM.Effect<A, E, R>) => EffectM.Effect<A, E, R>
  <A, E, R>(self: EffectM.Effect<A, E, R>, timeout: Duration.DurationInput): EffectM.Effect<A, E, R>
} = dual(2, <A, E, R>(self: EffectM.Effect<A, E, R>, timeout: Duration.DurationInput) => override((o) => ({ ...o, timeout }))(self))

/** Use another HTTP method (`GET` or `POST`). */
export const withMethod: {
  (method: "GET" | "POST"): <A, E, R>(self: EffectM.Effect<A, E, R>) => EffectM.Effect<A, E, R>
  <A, E, R>(self: EffectM.Effect<A, E, R>, method: "GET" | "POST"): EffectM.Effect<A, E, R>
} = dual(2, <A, E, R>(self: EffectM.Effect<A, E, R>, method: "GET" | "POST") => override((o) => ({ ...o, method }))(self))
