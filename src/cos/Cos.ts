/**
 * The COS client service: its options (region, scheme, path-style, accelerate and custom domains,
 * timeouts, clock-skew correction, retry policy, the emulator's address), its layers, and the two
 * primitives every operation module uses (`request` for a call read as text, `requestStream` for
 * an answer whose body is streamed). Built on the shared engine: credentials, transport, retries,
 * the region breaker, spans and the debugging hook are the same as for API 3.0.
 *
 * @example
 * ```ts
 * const CosLive = Cos.layer({ region: "ap-guangzhou" }).pipe(
 *   Layer.provide(Credentials.layerDefault), Layer.provide(UndiciHttpClient.layerDefault))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientTag from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Engine from "../core/Engine.js"
import { FastLane, fastLaneOf } from "../core/fastLane.js"
import { Credentials } from "../Credentials.js"
import { classify, RequestValidationError, type SdkError } from "../Errors.js"
import * as RegionBreaker from "../RegionBreaker.js"
import * as Retry from "../Retry.js"
import type { CosError } from "./CosError.js"
import * as P from "./internal/protocol.js"

/** Options of the COS client. Everything has a default. */
export interface CosOptions {
  /** The default region of buckets (`ap-guangzhou`); per call: `Client.withRegion`. */
  readonly region?: string | undefined
  /** `https` (default) or `http`. */
  readonly scheme?: "https" | "http" | undefined
  /** Path-style URLs (`cos.<region>.myqcloud.com/<bucket>/<key>`); default off (virtual-host). */
  readonly pathStyle?: boolean | undefined
  /** The global acceleration domain (`<bucket>.cos.accelerate.myqcloud.com`). */
  readonly accelerate?: boolean | undefined
  /**
   * A custom or CDN domain template: `{Bucket}` (name-appid), `{BucketName}`, `{AppId}`, `{Region}`,
   * e.g. `"{Bucket}.cos.{Region}.tencentcos.cn"` or `"files.example.com"`.
   */
  readonly domain?: string | undefined
  /** Per-attempt timeout (default 60 s; a part upload counts as one attempt). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Validity of each request's signature (default 900 s). */
  readonly signatureTtl?: Duration.DurationInput | undefined
  /** Correct the local clock once from the server's `Date` on a skew error and retry (default true). */
  readonly correctClockSkew?: boolean | undefined
  /** Retry policy; default: `Retry.make` retrying what `Errors.classify` allows (SlowDown, 5xx, resets for safe calls). */
  readonly retryPolicy?: Retry.RetryPolicy | undefined
  /**
   * Connect to this address (`127.0.0.1:8080` or `http://127.0.0.1:8080`) while signing and sending
   * the real COS Host: the local emulator.
   */
  readonly connectTo?: string | undefined
  /** The debugging hook (every raw exchange, secrets redacted). */
  readonly listener?: Engine.EngineOptions["listener"]
}

/** The COS client. */
export interface CosService {
  readonly config: P.CosConfig
  readonly skew: P.Skew
  readonly engine: Engine.Engine
  readonly protocol: ReturnType<typeof P.make>
  readonly credentials: Credentials["Type"]
}

/** The COS client tag. */
export class Cos extends Context.Tag("effect-tencentcloud/Cos")<Cos, CosService>() {}

/** The default retry condition for COS: what `Errors.classify` says may be retried. */
export const retryOn = (error: unknown, ctx: Retry.RetryContext): boolean => {
  const c = classify(error)
  return c.retry === "always" || (c.retry === "ifSafe" && ctx.safe)
}

/** The default COS retry policy: 3 retries, jittered exponential backoff, {@link retryOn}. */
export const defaultRetryPolicy: Retry.RetryPolicy = /*#__PURE__*/ Retry.make({ retryOn: retryOn as never })

/**
 * The transport's fast lane refuses an answer whose `Content-Length` exceeds the size cap, but a
 * HEAD answer declares the object's length without a body: HEAD goes through it uncapped.
 */
const headSafe = (http: HttpClient.HttpClient): HttpClient.HttpClient => {
  const fast = fastLaneOf(http)
  if (fast === undefined) return http
  return Object.assign(Object.create(Object.getPrototypeOf(http)), http, {
    [FastLane]: (r: Parameters<typeof fast>[0]) => fast(r.method === "HEAD" ? { ...r, maxBytes: Number.MAX_SAFE_INTEGER } : r)
  })
}

const bad = (field: string, problem: string, fix: string) => RequestValidationError.make({ service: "cos", field, problem, fix })

/** Build the client from options. */
export const make = (
  options: CosOptions = {}
): Effect.Effect<CosService, RequestValidationError, Credentials | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const credentials = yield* Credentials
    const http = yield* HttpClientTag.HttpClient
    const breaker = yield* Effect.serviceOption(RegionBreaker.RegionBreaker)
    const timeout = Duration.decodeUnknown(options.timeout ?? "60 seconds")
    if (Option.isNone(timeout) || Duration.toMillis(timeout.value) <= 0) return yield* bad("timeout", `${String(options.timeout)} is not a positive duration`, "use e.g. \"2 minutes\"")
    const ttl = Duration.decodeUnknown(options.signatureTtl ?? "900 seconds")
    if (Option.isNone(ttl) || Duration.toSeconds(ttl.value) < 1) return yield* bad("signatureTtl", `${String(options.signatureTtl)} is not at least 1 second`, "use e.g. \"15 minutes\"")
    if (options.scheme !== undefined && options.scheme !== "https" && options.scheme !== "http") return yield* bad("scheme", `${String(options.scheme)} is not https or http`, "use \"https\"")
    let connectTo: Engine.EngineOptions["connectTo"]
    if (options.connectTo !== undefined) {
      const m = /^(?:(https?):\/\/)?([^/]+?)\/?$/.exec(options.connectTo)
      if (m === null) return yield* bad("connectTo", `${JSON.stringify(options.connectTo)} is not host:port or a URL`, "use e.g. \"127.0.0.1:8080\"")
      connectTo = { scheme: (m[1] as "http" | "https" | undefined) ?? "http", host: m[2] }
    }
    const config: P.CosConfig = {
      region: options.region,
      scheme: options.scheme ?? (connectTo !== undefined ? "http" : "https"),
      domain: options.domain,
      pathStyle: options.pathStyle ?? false,
      accelerate: options.accelerate ?? false,
      timeoutMillis: Duration.toMillis(timeout.value),
      correctClockSkew: options.correctClockSkew ?? true,
      signSeconds: Math.floor(Duration.toSeconds(ttl.value))
    }
    const skew: P.Skew = { offsetMillis: 0 }
    const engine = Engine.make({
      credentials,
      http: headSafe(http),
      breaker: Option.getOrUndefined(breaker),
      retryPolicy: options.retryPolicy ?? defaultRetryPolicy,
      listener: options.listener,
      connectTo
    })
    return { config, skew, engine, protocol: P.make(config, skew), credentials }
  })

/** The client layer. */
export const layer = (options: CosOptions = {}): Layer.Layer<Cos, RequestValidationError, Credentials | HttpClient.HttpClient> =>
  Layer.effect(Cos, make(options))

/** Run one request, its answer read as text and given to `read`. */
export const request = <A>(req: P.CosRequest<A>): Effect.Effect<A, CosError | SdkError, Cos> =>
  Effect.flatMap(Cos, (c) => c.engine.call(c.protocol, req as P.CosRequest<unknown>) as Effect.Effect<A, CosError | SdkError>)

/** Run one request whose 200/206 answer body is streamed (in the caller's scope). */
export const requestStream = (
  req: P.CosRequest<unknown>
): Effect.Effect<Engine.Streamed<P.CosLaid>, CosError | SdkError, Cos | Scope.Scope> =>
  Effect.flatMap(Cos, (c) => c.engine.stream(c.protocol, req) as Effect.Effect<Engine.Streamed<P.CosLaid>, CosError | SdkError, Scope.Scope>)
