/**
 * The Huawei Cloud client: every call goes through the shared engine (credentials, transport,
 * timeouts, retry schedules, the region breaker, spans, the HTTP listener with secrets redacted),
 * with Huawei's layout and signing (`internal/protocol.ts`). On top of the engine:
 *
 * - the project id (regional services) or domain id (global services) from the credential, else
 *   discovered once through IAM (`GET /v3/projects?name=<region>`, `GET /v3/auth/domains`) and
 *   cached per AK, region and IAM endpoint; `{project_id}` / `{domain_id}` in paths are filled in;
 * - the region's endpoints from {@link Regions.resolve} (code, environment, `regions.yaml`, public
 *   pattern); when one cannot be reached (DNS, connect, TLS) the call moves to the next one at
 *   once, and later calls stay there (the SDK's sticky failover);
 * - the access log (`AccessLog`), one line per call;
 * - {@link HuaweiCloudService.request} (any API), `download` (the body as a `Stream`), and `invoke`
 *   for the generated typed actions.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Engine from "../core/Engine.js"
import { CurrentOverrides, override } from "../core/Overrides.js"
import { CredentialsError, RequestValidationError } from "../Errors.js"
import type { RegionBreakerService } from "../RegionBreaker.js"
import * as Retry from "../Retry.js"
import type * as AccessLog from "./AccessLog.js"
import { format as formatAccessLine } from "./AccessLog.js"
import { type HuaweiCredential, HuaweiCredentials } from "./Credentials.js"
import { type HuaweiCloudError, kindOf } from "./Errors.js"
import { type Body, type Call, type FormPart, type HuaweiActionInfo, protocol, type Response } from "./internal/protocol.js"
import * as Regions from "./Regions.js"
import * as Signer from "./Signer.js"

export type { Body, FormPart, Response } from "./internal/protocol.js"
export type { HttpExchange } from "../core/Engine.js"

/** Options of the client. Everything has a default. */
export interface ClientOptions {
  /** The default region of calls (`withRegion` overrides it per call). */
  readonly region?: string | undefined
  /** Regions with their endpoints, by service (lower case) or for every service (`"*"`). */
  readonly regions?: Regions.ResolveOptions["regions"]
  /** The regions file (default `HUAWEICLOUD_SDK_REGIONS_FILE` or `~/.huaweicloud/regions.yaml`). */
  readonly regionsFile?: string | undefined
  /** IAM endpoint for project/domain discovery (default: the credential's, `HUAWEICLOUD_SDK_IAM_ENDPOINT`, then `https://iam.<region>.myhuaweicloud.com`). */
  readonly iamEndpoint?: string | undefined
  /** Per-attempt timeout; default 120 s (the SDK's read timeout). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy; default `Retry.defaultPolicy`. See {@link retry} for the SDK's invoker form. */
  readonly retryPolicy?: Retry.RetryPolicy | undefined
  /** The shared region breaker (its backup is the region's next endpoint). */
  readonly breaker?: RegionBreakerService | undefined
  /** Every raw exchange, secrets redacted. */
  readonly httpListener?: ((exchange: Engine.HttpExchange) => Effect.Effect<void>) | undefined
  /** One line per call. */
  readonly accessLog?: AccessLog.AccessLog | undefined
  /** Sign with `V11-HMAC-SHA256` for this service name when {@link ClientOptions.derivedPredicate} holds. */
  readonly derivedAuthServiceName?: string | undefined
  /** When to use the derived algorithm (by host name); default: hosts that are not public Huawei endpoints. */
  readonly derivedPredicate?: ((hostname: string) => boolean) | undefined
}

/** A generic request's options. */
export interface RequestOptions {
  readonly query?: Signer.Query | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A JSON body, or bytes (with `contentType`). */
  readonly body?: unknown
  readonly contentType?: string | undefined
  /** A multipart/form-data body instead. */
  readonly form?: ReadonlyArray<FormPart> | undefined
  /** Name shown in errors, spans and fault rules; default `<METHOD> <path>`. */
  readonly action?: string | undefined
  /** Safe to repeat; default: GET, HEAD, PUT, DELETE. */
  readonly safe?: boolean | undefined
  /** A global service: sign with the domain id instead of a project id. */
  readonly global?: boolean | undefined
}

/** What a typed action needs (generated code passes a constant). */
export interface Invocation {
  readonly service: string
  readonly version: string
  readonly action: string
  readonly method: string
  /** Path with `{name}` parameters already filled, except `{project_id}` / `{domain_id}`. */
  readonly path: string
  readonly query: Signer.Query
  readonly headers: Readonly<Record<string, string>>
  readonly body: Body
  readonly global: boolean
  readonly decode: (body: unknown) => Either.Either<unknown, string>
  readonly responseHeaders?: ReadonlyArray<string> | undefined
}

/** The client. */
export interface HuaweiCloudService {
  readonly request: (service: string, method: string, path: string, options?: RequestOptions) => Effect.Effect<Response, HuaweiCloudError>
  readonly download: (service: string, method: string, path: string, options?: RequestOptions) => Stream.Stream<Uint8Array, HuaweiCloudError>
  readonly invoke: (invocation: Invocation) => Effect.Effect<unknown, HuaweiCloudError>
  /** The project id used for a region (discovered through IAM when the credential has none). */
  readonly projectId: (region?: string) => Effect.Effect<string, HuaweiCloudError>
  /** The account's domain id (discovered through IAM when the credential has none). */
  readonly domainId: Effect.Effect<string, HuaweiCloudError>
}

/** The Huawei Cloud client in the context. */
export class HuaweiCloud extends Context.Tag("effect-tencentcloud/huaweicloud/HuaweiCloud")<HuaweiCloud, HuaweiCloudService>() {}

/** Host-level failures (DNS, connect, TLS): the next endpoint is tried at once. */
const hostLevel = (e: unknown): boolean => {
  const k = kindOf(e)
  return k === "HostUnreachable" || k === "SslHandShake"
}

/** Do not spend retries on a dead host while the region has another endpoint. */
const failoverAware = (base: Retry.RetryPolicy): Retry.RetryPolicy => (ctx) => {
  const left = (ctx.info as Partial<HuaweiActionInfo>).endpointsLeft ?? 0
  return left > 0 ? base(ctx).pipe(Schedule.whileInput((e) => !hostLevel(e))) : base(ctx)
}

const envIam = Effect.map(Effect.orElseSucceed(Config.option(Config.string("HUAWEICLOUD_SDK_IAM_ENDPOINT")), () => Option.none<string>()), Option.getOrUndefined)

const fill = (path: string, ids: Readonly<Record<string, string | undefined>>): string =>
  path.replace(/\{(project_id|domain_id)\}/g, (m, k: string) => (ids[k] === undefined ? m : encodeURIComponent(ids[k]!)))

const bodyOf = (o: RequestOptions): Body =>
  o.form !== undefined
    ? { _tag: "Multipart", parts: o.form }
    : o.body instanceof Uint8Array
      ? { _tag: "Bytes", bytes: o.body, contentType: o.contentType ?? "application/octet-stream" }
      : o.body === undefined
        ? undefined
        : { _tag: "Json", value: o.body }

let traceCounter = 0
const traceId = (now: number) => `${now.toString(36)}${(++traceCounter).toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`

/** Build the client from the credentials and HTTP client in the context. */
export const make = (options: ClientOptions = {}): Effect.Effect<HuaweiCloudService, never, HuaweiCredentials | HttpClient.HttpClient> =>
  Effect.gen(function* () {
    const credentials = yield* HuaweiCredentials
    const http = yield* HttpClient.HttpClient
    const engine = Engine.make({
      credentials,
      http,
      breaker: options.breaker,
      retryPolicy: failoverAware(options.retryPolicy ?? Retry.defaultPolicy),
      listener: options.httpListener
    })
    const timeoutMillis = Duration.toMillis(Duration.decode(options.timeout ?? Duration.seconds(120)))
    const sticky = new Map<string, number>()
    const discovered = new Map<string, Deferred.Deferred<string, HuaweiCloudError>>()

    /** Single-flight, cached per key; a failure is not cached. */
    const once = (key: string, fetch: Effect.Effect<string, HuaweiCloudError>): Effect.Effect<string, HuaweiCloudError> =>
      Effect.suspend(() => {
        const hit = discovered.get(key)
        if (hit !== undefined) return Deferred.await(hit)
        const d = Deferred.unsafeMake<string, HuaweiCloudError>(undefined as never)
        discovered.set(key, d)
        return Effect.onExit(fetch, (exit) => {
          if (exit._tag === "Failure") discovered.delete(key)
          return Deferred.done(d, exit)
        })
      })

    const iamEndpoint = (cred: HuaweiCredential, region: string | undefined) =>
      Effect.map(envIam, (env) => options.iamEndpoint ?? cred.iamEndpoint ?? env ?? (region === undefined ? "https://iam.myhuaweicloud.com" : `https://iam.${region}.myhuaweicloud.com`))

    const iamCall = (endpoint: string, action: string, path: string, query: Signer.Query, region: string | undefined) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        engine.call(protocol, {
          service: "iam", version: "v3", action, method: "GET", path, query, headers: {}, body: undefined,
          endpoint, region, safe: true, timeoutMillis, traceId: traceId(now), endpointsLeft: 0
        } satisfies Call) as Effect.Effect<Response, HuaweiCloudError>)

    const discoverProject = (cred: HuaweiCredential, region: string): Effect.Effect<string, HuaweiCloudError> =>
      Effect.flatMap(iamEndpoint(cred, region), (iam) =>
        once(`project|${cred.secretId}|${region}|${iam}`, Effect.flatMap(iamCall(iam, "KeystoneListProjects", "/v3/projects", { name: region }, region), (r) => {
          const projects = (r.body as { projects?: ReadonlyArray<{ id?: unknown }> } | undefined)?.projects ?? []
          if (projects.length === 1 && typeof projects[0].id === "string") return Effect.succeed(projects[0].id)
          return Effect.fail(new CredentialsError({ provider: "huaweicloud iam", message: `IAM at ${iam} lists ${projects.length} projects named ${region} (expected exactly 1); give the project id (HUAWEICLOUD_SDK_PROJECT_ID or projectId) or check the region` }))
        })))

    const discoverDomain = (cred: HuaweiCredential): Effect.Effect<string, HuaweiCloudError> =>
      Effect.flatMap(iamEndpoint(cred, undefined), (iam) =>
        once(`domain|${cred.secretId}|${iam}`, Effect.flatMap(iamCall(iam, "KeystoneListAuthDomains", "/v3/auth/domains", {}, undefined), (r) => {
          const domains = (r.body as { domains?: ReadonlyArray<{ id?: unknown }> } | undefined)?.domains ?? []
          if (domains.length > 0 && typeof domains[0].id === "string") return Effect.succeed(domains[0].id)
          return Effect.fail(new CredentialsError({ provider: "huaweicloud iam", message: `IAM at ${iam} lists no domain for this key; give the domain id (HUAWEICLOUD_SDK_DOMAIN_ID or domainId)` }))
        })))

    const regionOf = Effect.flatMap(CurrentOverrides, (ov) => {
      const region = ov.region ?? options.region
      return region === undefined
        ? Effect.fail(RequestValidationError.make({ field: "region", problem: "no region is set", fix: "give the client a region (HuaweiCloud.layer({ region: \"cn-north-4\" })) or use withRegion" }))
        : Regions.validateId(region)
    })

    const projectId = (region?: string) =>
      Effect.gen(function* () {
        const r = region ?? (yield* regionOf)
        const cred = yield* credentials.get
        return cred.projectId ?? (yield* discoverProject(cred, r))
      })
    const domainId = Effect.flatMap(credentials.get, (cred) => (cred.domainId !== undefined ? Effect.succeed(cred.domainId) : discoverDomain(cred)))

    /** Resolve ids, region and endpoints, then run `run` for the chosen endpoint with failover. */
    const prepared = <A, R>(
      base: Omit<Call, "endpoint" | "backup" | "region" | "projectId" | "domainId" | "derived" | "timeoutMillis" | "traceId" | "endpointsLeft">,
      global: boolean,
      run: (call: Call) => Effect.Effect<A, HuaweiCloudError, R>,
      size: (a: A) => { status: number; bytes: number; requestId: string | undefined }
    ): Effect.Effect<A, HuaweiCloudError, R> =>
      Effect.gen(function* () {
        const region = yield* regionOf
        const cred = yield* credentials.get
        const useGlobal = global || cred.kind === "global"
        const pid = useGlobal ? undefined : cred.projectId ?? (yield* discoverProject(cred, region))
        const did = useGlobal || base.path.includes("{domain_id}") ? cred.domainId ?? (yield* discoverDomain(cred)) : undefined
        const reg = yield* Regions.resolve(base.service, region, { regions: options.regions, regionsFile: options.regionsFile })
        const key = `${base.service}|${region}|${reg.endpoints.join(",")}`
        const n = reg.endpoints.length
        const start = Math.min(sticky.get(key) ?? 0, n - 1)
        const now = yield* Clock.currentTimeMillis
        const id = traceId(now)
        const attempt = (k: number): Effect.Effect<A, HuaweiCloudError, R> => {
          const idx = (start + k) % n
          const endpoint = reg.endpoints[idx]
          const hostname = new URL(endpoint).hostname
          const derivedOn = options.derivedAuthServiceName !== undefined && (options.derivedPredicate ?? ((h) => !Signer.isPublicEndpoint(h)))(hostname)
          const call: Call = {
            ...base, path: fill(base.path, { project_id: pid, domain_id: did }), endpoint, backup: n > 1 ? reg.endpoints[(idx + 1) % n] : undefined,
            region, projectId: pid, domainId: did, timeoutMillis, traceId: id, endpointsLeft: n - 1 - k,
            derived: derivedOn ? { region: useGlobal ? "globe" : region, service: options.derivedAuthServiceName! } : undefined
          }
          return logged(call, run(call), size).pipe(
            Effect.tap(() => Effect.sync(() => sticky.set(key, idx))),
            Effect.catchAll((e) => {
              if (!hostLevel(e) || n === 1) return Effect.fail(e)
              if (k >= n - 1) {
                sticky.set(key, 0)
                return Effect.fail(e)
              }
              sticky.set(key, (idx + 1) % n)
              return attempt(k + 1)
            })
          )
        }
        return yield* attempt(0)
      })

    const logged = <A, R>(call: Call, self: Effect.Effect<A, HuaweiCloudError, R>, size: (a: A) => { status: number; bytes: number; requestId: string | undefined }) => {
      const log = options.accessLog
      if (log === undefined) return self
      return Effect.flatMap(Clock.currentTimeMillis, (start) =>
        Effect.onExit(self, (exit) =>
          Effect.flatMap(Clock.currentTimeMillis, (end) => {
            const err = exit._tag === "Failure" && exit.cause._tag === "Fail" ? (exit.cause.error as { status?: number; requestId?: string }) : undefined
            const info = exit._tag === "Success" ? size(exit.value) : { status: typeof err?.status === "number" ? err.status : 0, bytes: 0, requestId: err?.requestId || undefined }
            const qs = Signer.canonicalQueryString(call.query)
            const url = `${call.endpoint}${call.path}${qs === "" ? "" : `?${qs}`}`
            return log.write(formatAccessLine({ time: start, method: call.method, url, status: info.status, bytes: info.bytes, durationMillis: end - start, requestId: info.requestId }))
          })))
    }

    const baseOf = (service: string, method: string, path: string, o: RequestOptions) => {
      const m = method.toUpperCase()
      return {
        service, version: "", action: o.action ?? `${m} ${path}`, method: m, path, query: o.query ?? {}, headers: o.headers ?? {}, body: bodyOf(o),
        safe: o.safe ?? (m === "GET" || m === "HEAD" || m === "PUT" || m === "DELETE")
      }
    }

    const request: HuaweiCloudService["request"] = (service, method, path, o = {}) => {
      const base = baseOf(service, method, path, o)
      return prepared(base, o.global === true, (call) => engine.call(protocol, call) as Effect.Effect<Response, HuaweiCloudError>, (r) => ({
        status: r.status,
        bytes: Number(r.headers["content-length"] ?? 0),
        requestId: r.requestId
      }))
    }

    const download: HuaweiCloudService["download"] = (service, method, path, o = {}) =>
      Stream.unwrapScoped(
        prepared(baseOf(service, method, path, o), o.global === true, (call) =>
          engine.stream(protocol, call) as Effect.Effect<Engine.Streamed<never>, HuaweiCloudError, Scope.Scope>, (s) => ({
          status: s.status,
          bytes: Number(s.headers["content-length"] ?? 0),
          requestId: s.headers["x-request-id"]
        })).pipe(
          Effect.map((s) => s.body as Stream.Stream<Uint8Array, HuaweiCloudError>)
        )
      )

    const invoke: HuaweiCloudService["invoke"] = (inv) => {
      const base = { service: inv.service, version: inv.version, action: inv.action, method: inv.method, path: inv.path, query: inv.query, headers: inv.headers, body: inv.body, safe: inv.method === "GET", decode: inv.decode, responseHeaders: inv.responseHeaders }
      return prepared(base, inv.global, (call) => engine.call(protocol, call) as Effect.Effect<unknown, HuaweiCloudError>, () => ({ status: 200, bytes: 0, requestId: undefined }))
    }

    return { request, download, invoke, projectId, domainId }
  })

/** The client as a layer. */
export const layer = (options: ClientOptions = {}): Layer.Layer<HuaweiCloud, never, HuaweiCredentials | HttpClient.HttpClient> =>
  Layer.effect(HuaweiCloud, make(options))

/** A generic call: `(service, method, path, {query, headers, body})`. */
export const request = (service: string, method: string, path: string, options?: RequestOptions): Effect.Effect<Response, HuaweiCloudError, HuaweiCloud> =>
  Effect.flatMap(HuaweiCloud, (c) => c.request(service, method, path, options))

/** A generic download: the answer's body as a stream of bytes. */
export const download = (service: string, method: string, path: string, options?: RequestOptions): Stream.Stream<Uint8Array, HuaweiCloudError, HuaweiCloud> =>
  Stream.unwrap(Effect.map(HuaweiCloud, (c) => c.download(service, method, path, options)))

/** Options of {@link retry}, the Huawei SDK's `with_retry`. */
export interface RetryOptions {
  /** Retry after a failure when this holds; default: the default policy's rule. */
  readonly condition?: ((error: HuaweiCloudError) => boolean) | undefined
  /** 1 to 10 (the SDK's bounds). */
  readonly maxRetries: number
  /** One of `Retry.backoff` (`none`, `equalJitter`, `randomJitter`, `decorrelatedJitter`, `exponential`); default `none`. */
  readonly backoff?: Schedule.Schedule<Duration.Duration> | undefined
}

/** The Huawei SDK's invoker retry (`with_retry(condition, max_retries, backoff)`) as a retry policy. */
export const retry = (options: RetryOptions): Either.Either<Retry.RetryPolicy, RequestValidationError> =>
  !Number.isInteger(options.maxRetries) || options.maxRetries < 1 || options.maxRetries > 10
    ? Either.left(RequestValidationError.make({ field: "maxRetries", problem: `${options.maxRetries} is outside [1, 10]`, fix: "give an integer from 1 to 10, as the Huawei SDK requires" }))
    : Either.right(Retry.make({
      maxRetries: options.maxRetries,
      backoff: options.backoff ?? Retry.backoff.none,
      ...(options.condition === undefined ? {} : { retryOn: (e) => options.condition!(e as HuaweiCloudError) })
    }))

// -------------------------------------------------------------------------------------------------
// per-call options (the core's overrides: they work on Effects and Streams)

/** Run the calls inside in another region. */
export const withRegion = override<string>((o, region) => ({ ...o, region }))
/** Add headers to the calls inside (the SDK invoker's `add_header`); Host, Authorization, X-Sdk-Date are refused. */
export const withHeaders = override<Readonly<Record<string, string>>>((o, headers) => ({ ...o, headers: { ...o.headers, ...headers } }))
/** Another per-attempt timeout for the calls inside. */
export const withTimeout = override<Duration.DurationInput>((o, timeout) => ({ ...o, timeout }))
/** Send the calls inside to this endpoint (`https://host[:port]`). */
export const withEndpoint = override<string>((o, endpoint) => ({ ...o, endpoint }))
/** Another retry policy for the calls inside (e.g. from {@link retry}). */
export const withRetryPolicy = override<Retry.RetryPolicy>((o, retryPolicy) => ({ ...o, retryPolicy }))
