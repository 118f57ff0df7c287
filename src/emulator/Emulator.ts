/**
 * A local Tencent Cloud API 3.0 emulator: a real HTTP server on loopback that verifies TC3 and v1
 * signatures, answers in the cloud's envelope and error codes, validates requests against the
 * specs, keeps state for CVM / VPC / CBS / STS, generates spec-shaped data for every other action,
 * and injects faults on demand.
 *
 * @example
 * ```ts
 * import * as Emulator from "effect-tencentcloud/emulator"
 *
 * const program = Effect.gen(function* () {
 *   const emu = yield* Emulator.make()            // free port, demo keys, stopped with the scope
 *   emu.faults.add({ action: "DescribeInstances", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
 *   // ... call it (Host: cvm.tencentcloudapi.com or X-TC-Service: cvm) at emu.endpoint ...
 *   const calls = emu.requests.list({ action: "DescribeInstances" })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type * as net from "node:net"
import * as Catalog from "./catalog.js"
import { type FaultControl, type FaultRule, FaultRules } from "./faults.js"
import { type RecordedRequest, Recorder, type RequestLog } from "./recorder.js"
import { protocolFactories } from "./protocols.js"
import { makeHandlers, MAX_HEADER_SIZE } from "./server.js"
import * as State from "./state/index.js"

export type { ActionCatalog } from "./catalog.js"
export type { Fault, FaultControl, FaultRule } from "./faults.js"
export type { RecordedRequest, RequestLog } from "./recorder.js"
export type { StateView, TemporaryCredential, Timings, WebIdentityCheck } from "./state/index.js"

/** A long-term key pair the emulator accepts. */
export interface KeyPair {
  readonly secretId: string
  readonly secretKey: string
}

/**
 * The demo key pair used when none is configured: the example key of the official signature
 * documentation. Not a real key; safe to print and commit.
 */
export const DEMO_CREDENTIALS: KeyPair = {
  secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
  secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
}

/** Root domains recognised in Host names by default. */
export const DEFAULT_ROOT_DOMAINS: ReadonlyArray<string> = ["tencentcloudapi.com", "localhost"]

/** Options of the emulator. Everything has a default. */
export interface EmulatorOptions {
  /** Port to listen on; `0` (the default) picks a free one. */
  readonly port?: number | undefined
  /** Address to bind; default `127.0.0.1`. */
  readonly hostname?: string | undefined
  /** Accepted long-term keys; default {@link DEMO_CREDENTIALS}. */
  readonly credentials?: ReadonlyArray<KeyPair> | undefined
  /**
   * Root domains: a Host `<service>.<root>` or `<service>.<region>.<root>` names the service (and
   * region). Default {@link DEFAULT_ROOT_DOMAINS}.
   */
  readonly rootDomains?: ReadonlyArray<string> | undefined
  /** Service assumed when neither `X-TC-Service`, the Host nor a TC3 credential scope names one. */
  readonly defaultService?: string | undefined
  /**
   * Where action definitions come from. Default: the generated modules of this package
   * (`effect-tencentcloud/<service>/<version>`), plus `specDir` when given.
   */
  readonly catalog?: Catalog.ActionCatalog | undefined
  /** A tccli-format spec folder (`<dir>/<service>/<vYYYYMMDD>/api.json`) to serve actions from. */
  readonly specDir?: string | undefined
  /** Seed of generated data, ids and probabilistic faults; default 0. */
  readonly seed?: number | undefined
  /**
   * The clock (ms since the epoch) used for signature windows, expiry and state transitions.
   * Default: `make`/`layer` read Effect's `Clock` (so `TestClock` drives it); `start` uses `Date.now`.
   */
  readonly now?: (() => number) | undefined
  /** Durations of state transitions (ms). */
  readonly timings?: Partial<State.Timings> | undefined
  /** Fault rules active from the start. */
  readonly faults?: ReadonlyArray<FaultRule> | undefined
  /** Capacity of the request log (ring buffer); default 1000, `0` disables recording. */
  readonly recordLimit?: number | undefined
  /** Bound of the request log in (estimated) bytes; default 32 MiB. Large requests' parameters are kept truncated. */
  readonly recordMaxBytes?: number | undefined
  /** Allowed clock skew of signed requests, seconds; default 300 (the cloud's 5 minutes). */
  readonly maxSkewSeconds?: number | undefined
  /** Which web identity tokens AssumeRoleWithWebIdentity accepts; default any non-empty token. */
  readonly webIdentity?: State.WebIdentityCheck | undefined
  /** Called with each recorded exchange (e.g. an access log). */
  readonly onRequest?: ((r: RecordedRequest) => void) | undefined
  /**
   * Check every successful API 3.0 answer against the action's response schema in strict mode
   * (as a client in strict mode decodes it) before sending it; default `true`. An answer that
   * does not match is a bug of the emulator: it answers `InternalError` naming every mismatch,
   * and reports it through `onAnswerMismatch`. `false` sends such answers as they are.
   */
  readonly strictAnswers?: boolean | undefined
  /** Where an answer that failed the check is reported; default `console.error`. */
  readonly onAnswerMismatch?: ((message: string) => void) | undefined
}

/** A running emulator. */
export interface EmulatorHandle {
  /** `http://127.0.0.1:<port>`: where to connect. */
  readonly endpoint: string
  /** `127.0.0.1:<port>`. */
  readonly address: string
  readonly port: number
  /** The accepted long-term keys. */
  readonly credentials: ReadonlyArray<KeyPair>
  /** Root domains recognised in Host names. */
  readonly rootDomains: ReadonlyArray<string>
  /** The request log (bounded, secrets redacted). */
  readonly requests: RequestLog
  /** Fault rules. */
  readonly faults: FaultControl
  /** The stateful resources. */
  readonly state: State.StateView
  /** The emulator's clock (ms since the epoch). */
  readonly now: () => number
  /** Accept another long-term key pair. */
  readonly addCredential: (key: KeyPair) => void
  /** The Host a client would use for a service (and region) under the first root domain. */
  readonly hostFor: (service: string, region?: string) => string
}

/** A running emulator started with {@link start}, stopped with `close`. */
export interface RunningEmulator extends EmulatorHandle {
  readonly close: () => Promise<void>
}

/** The emulator could not start (e.g. the port is in use). */
export class EmulatorStartError extends Data.TaggedError("EmulatorStartError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/** The emulator as a service in the Effect context. */
export class Emulator extends Context.Tag("effect-tencentcloud/Emulator")<Emulator, EmulatorHandle>() {}

/** A clock for tests that moves only when told. */
export interface ManualClock {
  readonly now: () => number
  readonly advance: (ms: number) => void
  readonly set: (ms: number) => void
}

/** A manual clock starting at `startMs` (default 2025-01-01T00:00:00Z). */
export const manualClock = (startMs = Date.UTC(2025, 0, 1)): ManualClock => {
  let t = startMs
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
    },
    set: (ms) => {
      t = ms
    }
  }
}

/** Start an emulator (Promise API, for scripts and non-Effect tests). */
export const start = (options: EmulatorOptions = {}): Promise<RunningEmulator> => {
  const now = options.now ?? Date.now
  const seed = options.seed ?? 0
  const keys = new Map<string, string>()
  const credentials: Array<KeyPair> = [...(options.credentials ?? [DEMO_CREDENTIALS])]
  for (const k of credentials) keys.set(k.secretId, k.secretKey)
  const rootDomains = (options.rootDomains ?? DEFAULT_ROOT_DOMAINS).map((r) => r.toLowerCase())
  const catalog =
    options.catalog ??
    (options.specDir !== undefined ? Catalog.combine(Catalog.generated(), Catalog.fromSpecDir(options.specDir)) : Catalog.generated())
  const state = State.make(seed, { ...State.defaultTimings, ...options.timings }, options.webIdentity ?? (() => true), now)
  const faults = new FaultRules(seed)
  for (const r of options.faults ?? []) faults.add(r)
  const recorder = new Recorder(options.recordLimit ?? 1000, options.recordMaxBytes)
  const maxSkewSeconds = options.maxSkewSeconds ?? 300
  const protocols = protocolFactories.map((f) => f({ keys, now, seed, maxSkewSeconds, faults, recorder, state }))
  const { onRequest, onClientError } = makeHandlers({
    keys,
    rootDomains,
    defaultService: options.defaultService,
    catalog,
    now,
    seed,
    maxSkewSeconds,
    state,
    faults,
    recorder,
    unsignedActions: new Set(["sts.AssumeRoleWithWebIdentity"]),
    onAnswer: options.onRequest,
    strictAnswers: options.strictAnswers,
    onAnswerMismatch: options.onAnswerMismatch,
    protocols
  })
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_SIZE, keepAliveTimeout: 5000 }, onRequest)
  server.on("clientError", onClientError)
  const hostname = options.hostname ?? "127.0.0.1"
  return new Promise<RunningEmulator>((resolve, reject) => {
    const onError = (e: Error) => reject(e)
    server.once("error", onError)
    server.listen({ port: options.port ?? 0, host: hostname, backlog: 4096 }, () => {
      server.off("error", onError)
      // a later server error (rare: e.g. EMFILE) must not crash the process
      server.on("error", () => {})
      const port = (server.address() as net.AddressInfo).port
      const address = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`
      let closing: Promise<void> | undefined
      resolve({
        endpoint: `http://${address}`,
        address,
        port,
        credentials,
        rootDomains,
        requests: recorder,
        faults,
        state: {
          ...state.view,
          reset: () => {
            state.view.reset()
            for (const p of protocols) p.reset?.()
          }
        },
        now,
        addCredential: (k) => {
          keys.set(k.secretId, k.secretKey)
          credentials.push(k)
        },
        hostFor: (service, region) => (region ? `${service}.${region}.${rootDomains[0]}` : `${service}.${rootDomains[0]}`),
        close: () =>
          (closing ??= new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          }))
      })
    })
  })
}

/**
 * Start an emulator for the life of the scope (stopped when the scope closes). Without `now`, the
 * emulator reads Effect's `Clock`, so a test's `TestClock` drives signatures and transitions.
 */
export const make = (options: EmulatorOptions = {}): Effect.Effect<EmulatorHandle, EmulatorStartError, Scope.Scope> =>
  Effect.flatMap(Effect.clock, (clock) =>
    Effect.acquireRelease(
      Effect.tryPromise({
        try: () => start({ ...options, now: options.now ?? (() => clock.unsafeCurrentTimeMillis()) }),
        catch: (cause) =>
          new EmulatorStartError({
            message: `The emulator could not listen on ${options.hostname ?? "127.0.0.1"}:${options.port ?? 0}: ${cause instanceof Error ? cause.message : String(cause)}`,
            cause
          })
      }),
      (h) => Effect.promise(() => h.close())
    )
  )

/** A layer providing {@link Emulator}, started with the layer and stopped with it. */
export const layer = (options: EmulatorOptions = {}): Layer.Layer<Emulator, EmulatorStartError> => Layer.scoped(Emulator, make(options))
