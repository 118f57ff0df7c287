/**
 * The region breaker: when a region's endpoint keeps failing, send calls to a backup endpoint
 * for a while, then probe the region again.
 *
 * It follows the official Python SDK (`circuit_breaker.py`) with its bugs fixed:
 *
 * - Per endpoint key (service, region and host), a state machine `closed → open → half-open`.
 *   In `closed`, every attempt is counted in a window (default 300 s); the breaker opens when
 *   `failures ≥ maxFailNum` and `failures / total ≥ maxFailPercent`, or after
 *   `consecutiveFailures` failures in a row. In `open`, requests go to
 *   `<service>.<backupEndpoint>` (default `ap-guangzhou.tencentcloudapi.com`); after the
 *   cool-down (a `Schedule`: fixed 60 s by default; the n-th consecutive opening waits the n-th
 *   delay, so an exponential schedule backs off) it turns `half-open`: at most `maxRequests`
 *   probes (at least one) go to the region at a time, every other request still goes to the
 *   backup until the probes decide; `maxRequests` successes close it, one failure opens it again.
 *   A probe whose outcome is never reported frees its place after `windowInterval`.
 * - Every state change and window reset starts a new generation; a result reported with the
 *   ticket of an older generation is ignored. Generations are unbounded integers (Python wraps
 *   at 10, so a ticket ten changes old could be counted).
 * - Success is an answer with a request id whose code is not `InternalError` (the Go SDK counts
 *   plain successes as failures; the Python SDK swallows the errors). See {@link classify}.
 * - Changes are logged (`open` as a warning) and published on {@link RegionBreakerService.changes}.
 *
 * The machine itself is pure ({@link Machine}, {@link initial}, {@link advance}, {@link before},
 * {@link after}) and tested without layers; {@link make} wraps it in one `SynchronizedRef` per
 * key, with time from `Clock`.
 *
 * Disabled by default, like the official SDKs: provide {@link layer} to turn it on.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { classify as classifyFailure, RequestValidationError } from "./Errors.js"

// -------------------------------------------------------------------------------------------------
// settings

/** Breaker settings. Defaults (those of the Python SDK): see {@link defaultSettings}. */
export interface BreakerSettings {
  /** Minimum failures in the window before the failure rate can open the breaker. */
  readonly maxFailNum: number
  /** Failure rate (0..1] in the window that, with `maxFailNum`, opens the breaker. */
  readonly maxFailPercent: number
  /** Length of a counting window in `closed`; the counters reset when it ends. */
  readonly windowInterval: Duration.DurationInput
  /** The fixed cool-down used when `cooldown` is not given. */
  readonly timeout: Duration.DurationInput
  /**
   * Cool-down before `open` turns `half-open`: the n-th consecutive opening (without a close in
   * between) waits the n-th delay of this schedule; when the schedule ends its last delay is
   * kept. Default `Schedule.spaced(timeout)`; `Schedule.exponential("60 seconds")` backs off.
   */
  readonly cooldown?: Schedule.Schedule<unknown> | undefined
  /** Successes in `half-open` that close the breaker. */
  readonly maxRequests: number
  /** Root domain of the backup endpoint; requests go to `<service>.<backupEndpoint>`. */
  readonly backupEndpoint: string
  /** Failures in a row that open the breaker whatever the rate. */
  readonly consecutiveFailures: number
}

/** The defaults: 5 failures, 75 %, a 300 s window, a 60 s cool-down, 5 successes, 5 in a row. */
export const defaultSettings: BreakerSettings = {
  maxFailNum: 5,
  maxFailPercent: 0.75,
  windowInterval: Duration.seconds(300),
  timeout: Duration.seconds(60),
  maxRequests: 5,
  backupEndpoint: "ap-guangzhou.tencentcloudapi.com",
  consecutiveFailures: 5
}

/** The numbers the pure machine needs. */
export interface MachineSettings {
  readonly maxFailNum: number
  readonly maxFailPercent: number
  readonly windowMillis: number
  readonly maxRequests: number
  readonly consecutiveFailures: number
}

/** Settings after validation. */
export interface ResolvedSettings extends MachineSettings {
  readonly timeoutMillis: number
  readonly cooldown: Schedule.Schedule<unknown>
  readonly backupEndpoint: string
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

/**
 * Check a backup endpoint: a host name such as `tencentcloudapi.com`,
 * `ap-guangzhou.tencentcloudapi.com` or a custom domain, optionally with a `:port`; no scheme,
 * path, spaces or IP address. Returns it lower-cased.
 */
export const validateBackupEndpoint = (value: string): Either.Either<string, RequestValidationError> => {
  const fail = (problem: string, fix = "give a host name such as \"ap-guangzhou.tencentcloudapi.com\"") =>
    Either.left(RequestValidationError.make({ field: "backupEndpoint", problem, fix }))
  if (typeof value !== "string" || value.length === 0) return fail("it is empty")
  if (/\s/.test(value)) return fail(`${JSON.stringify(value)} contains whitespace`)
  if (value.includes("://")) return fail(`${JSON.stringify(value)} has a scheme`, "drop the scheme (\"https://\"): backups are always called over https")
  if (/[/?#@\\]/.test(value)) return fail(`${JSON.stringify(value)} has a path, query or user part`, "give only the host name")
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(value)
  if (m === null) return fail(`${JSON.stringify(value)} is not a host name`)
  const host = m[1].toLowerCase()
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return fail(`port ${m[2]} is out of range`)
  if (host.length > 253 || host.startsWith(".") || host.endsWith(".")) return fail(`${JSON.stringify(value)} is not a host name`)
  const labels = host.split(".")
  if (!labels.every((l) => LABEL.test(l))) {
    return fail(`${JSON.stringify(value)} is not a host name (labels are letters, digits and inner hyphens)`)
  }
  if (/^\d+$/.test(labels[labels.length - 1])) return fail(`${JSON.stringify(value)} looks like an IP address`, "give a domain: the service name is put in front of it")
  return Either.right(m[2] !== undefined ? `${host}:${m[2]}` : host)
}

const decodeDuration = (field: string, input: unknown): Either.Either<number, RequestValidationError> => {
  const d = Duration.decodeUnknown(input)
  if (Option.isNone(d) || !Duration.isFinite(d.value) || Duration.toMillis(d.value) <= 0) {
    return Either.left(RequestValidationError.make({ field, problem: `${String(input)} is not a positive duration`, fix: "give a duration such as \"60 seconds\"" }))
  }
  return Either.right(Duration.toMillis(d.value))
}

const checkNumber = (
  field: string,
  value: number,
  ok: (n: number) => boolean,
  expected: string
): Either.Either<number, RequestValidationError> =>
  typeof value === "number" && ok(value)
    ? Either.right(value)
    : Either.left(RequestValidationError.make({ field, problem: `${String(value)} is not ${expected}`, fix: `give ${expected}` }))

/** Fill in the defaults and validate; the error names the bad field. */
export const resolveSettings = (
  settings: Partial<BreakerSettings> = {}
): Either.Either<ResolvedSettings, RequestValidationError> =>
  Either.gen(function* () {
    const s = { ...defaultSettings, ...stripUndefined(settings) }
    const int = (n: number) => Number.isInteger(n)
    const maxFailNum = yield* checkNumber("maxFailNum", s.maxFailNum, (n) => int(n) && n >= 1, "an integer ≥ 1")
    const maxFailPercent = yield* checkNumber("maxFailPercent", s.maxFailPercent, (n) => n > 0 && n <= 1, "a fraction in (0, 1]")
    const maxRequests = yield* checkNumber("maxRequests", s.maxRequests, (n) => int(n) && n >= 0, "an integer ≥ 0")
    const consecutiveFailures = yield* checkNumber("consecutiveFailures", s.consecutiveFailures, (n) => int(n) && n >= 1, "an integer ≥ 1")
    const windowMillis = yield* decodeDuration("windowInterval", s.windowInterval)
    const timeoutMillis = yield* decodeDuration("timeout", s.timeout)
    const backupEndpoint = yield* validateBackupEndpoint(s.backupEndpoint)
    return {
      maxFailNum,
      maxFailPercent,
      maxRequests,
      consecutiveFailures,
      windowMillis,
      timeoutMillis,
      cooldown: s.cooldown ?? Schedule.spaced(Duration.millis(timeoutMillis)),
      backupEndpoint
    }
  })

const stripUndefined = <A extends object>(a: A): Partial<A> =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Partial<A>

// -------------------------------------------------------------------------------------------------
// the pure machine

/** The three states. */
export type BreakerState = "closed" | "open" | "half-open"

/** Why the state changed. */
export type ChangeReason =
  | "failure-rate"
  | "consecutive-failures"
  | "cooldown-elapsed"
  | "half-open-failure"
  | "recovered"

/** Counters of the current generation. */
export interface Counts {
  readonly failures: number
  readonly total: number
  readonly consecutiveSuccesses: number
  readonly consecutiveFailures: number
}

/** The state of one key's breaker. Immutable. */
export interface Machine {
  readonly state: BreakerState
  readonly generation: number
  readonly counts: Counts
  /** `closed`: end of the counting window; `open`: end of the cool-down; `half-open`: +∞. Epoch ms. */
  readonly expiry: number
  /** Openings since the breaker last closed; the next opening waits cool-down number `openings + 1`. */
  readonly openings: number
  /** `half-open`: probes sent to the primary whose outcome is not reported yet (absent: 0). */
  readonly probes?: number | undefined
  /** `half-open`: when unreported probes are given up as lost and their places freed (epoch ms). */
  readonly probesExpire?: number | undefined
}

/** What a caller gets before an attempt. */
export interface Ticket {
  readonly generation: number
  /** Send this attempt to the backup endpoint (while `open`, and in `half-open` beyond the probes). */
  readonly useBackup: boolean
  /** A `half-open` probe of the primary: report its outcome (even `undefined`) to free its place. */
  readonly probe?: boolean | undefined
}

/** One transition of the machine. */
export interface Transition {
  readonly from: BreakerState
  readonly to: BreakerState
  readonly reason: ChangeReason
  /** The generation after the change. */
  readonly generation: number
}

/** The result of a machine step: the new machine and the state changes it went through. */
export interface Step {
  readonly machine: Machine
  readonly transitions: ReadonlyArray<Transition>
  /** True when `after` dropped the result (older generation, or `open`). */
  readonly ignored?: boolean | undefined
}

const zero: Counts = { failures: 0, total: 0, consecutiveSuccesses: 0, consecutiveFailures: 0 }

/** A closed breaker whose first window starts at `now`. */
export const initial = (now: number, s: MachineSettings): Machine => ({
  state: "closed",
  generation: 0,
  counts: zero,
  expiry: now + s.windowMillis,
  openings: 0
})

const toClosed = (m: Machine, now: number, s: MachineSettings): Machine => ({
  state: "closed",
  generation: m.generation + 1,
  counts: zero,
  expiry: now + s.windowMillis,
  openings: 0
})

const toOpen = (m: Machine, now: number, cooldownMillis: (opening: number) => number): Machine => ({
  state: "open",
  generation: m.generation + 1,
  counts: zero,
  expiry: now + Math.max(0, cooldownMillis(m.openings + 1)),
  openings: m.openings + 1
})

const toHalfOpen = (m: Machine): Machine => ({
  state: "half-open",
  generation: m.generation + 1,
  counts: zero,
  expiry: Number.POSITIVE_INFINITY,
  openings: m.openings
})

/**
 * Apply the passage of time: a `closed` window that ended starts a new generation with cleared
 * counters; an `open` breaker whose cool-down ended turns `half-open`.
 */
export const advance = (m: Machine, now: number, s: MachineSettings): Step => {
  if (m.expiry > now) return { machine: m, transitions: [] }
  if (m.state === "closed") {
    return { machine: { ...m, generation: m.generation + 1, counts: zero, expiry: now + s.windowMillis }, transitions: [] }
  }
  if (m.state === "open") {
    const next = toHalfOpen(m)
    return { machine: next, transitions: [{ from: "open", to: "half-open", reason: "cooldown-elapsed", generation: next.generation }] }
  }
  return { machine: m, transitions: [] }
}

/** Probes allowed at a time in `half-open`: `maxRequests`, at least one. */
export const probeLimit = (s: MachineSettings): number => Math.max(1, s.maxRequests)

/**
 * Before an attempt: advance to `now` and hand out a ticket: the backup while `open`; in
 * `half-open` a probe of the primary while fewer than {@link probeLimit} probes are out, else the
 * backup; the primary while `closed`.
 */
export const before = (m: Machine, now: number, s: MachineSettings): Step & { readonly ticket: Ticket } => {
  const step = advance(m, now, s)
  const cur = step.machine
  if (cur.state !== "half-open") return { ...step, ticket: { generation: cur.generation, useBackup: cur.state === "open" } }
  const out = cur.probesExpire !== undefined && cur.probesExpire <= now ? 0 : cur.probes ?? 0
  if (out >= probeLimit(s)) return { ...step, ticket: { generation: cur.generation, useBackup: true } }
  return {
    ...step,
    machine: { ...cur, probes: out + 1, probesExpire: now + s.windowMillis },
    ticket: { generation: cur.generation, useBackup: false, probe: true }
  }
}

/**
 * After an attempt: advance to `now`, free the place of a `half-open` probe, then count the
 * result unless it is not recorded (`undefined`), its ticket is of an older generation or went to
 * the backup, or the breaker is `open`. `cooldownMillis(n)` is the cool-down of the n-th
 * consecutive opening.
 */
export const after = (
  m: Machine,
  now: number,
  ticket: Ticket,
  success: boolean | undefined,
  s: MachineSettings,
  cooldownMillis: (opening: number) => number
): Step => {
  const adv = advance(m, now, s)
  let cur = adv.machine
  if (ticket.probe && ticket.generation === cur.generation && cur.state === "half-open" && (cur.probes ?? 0) > 0) {
    cur = { ...cur, probes: (cur.probes ?? 0) - 1 }
  }
  if (success === undefined || ticket.useBackup || ticket.generation !== cur.generation || cur.state === "open") {
    return { machine: cur, transitions: adv.transitions, ignored: true }
  }
  const c = cur.counts
  const counts: Counts = success
    ? { failures: c.failures, total: c.total + 1, consecutiveSuccesses: c.consecutiveSuccesses + 1, consecutiveFailures: 0 }
    : { failures: c.failures + 1, total: c.total + 1, consecutiveSuccesses: 0, consecutiveFailures: c.consecutiveFailures + 1 }
  const counted: Machine = { ...cur, counts }
  const change = (next: Machine, reason: ChangeReason): Step => ({
    machine: next,
    transitions: [...adv.transitions, { from: cur.state, to: next.state, reason, generation: next.generation }]
  })
  if (cur.state === "closed") {
    if (success) return { machine: counted, transitions: adv.transitions }
    if (counts.failures >= s.maxFailNum && counts.failures / counts.total >= s.maxFailPercent) {
      return change(toOpen(counted, now, cooldownMillis), "failure-rate")
    }
    if (counts.consecutiveFailures >= s.consecutiveFailures) {
      return change(toOpen(counted, now, cooldownMillis), "consecutive-failures")
    }
    return { machine: counted, transitions: adv.transitions }
  }
  // half-open
  if (!success) return change(toOpen(counted, now, cooldownMillis), "half-open-failure")
  if (counts.total - counts.failures >= s.maxRequests) return change(toClosed(counted, now, s), "recovered")
  return { machine: counted, transitions: adv.transitions }
}

// -------------------------------------------------------------------------------------------------
// outcome classification

/**
 * Whether an attempt's outcome counts as a success (`true`), a failure (`false`) or is not
 * recorded (`undefined`). Takes an `Exit` or a failure value.
 *
 * - Success: any answer with a request id whose code is not `InternalError`: a successful
 *   response, an `ApiError`/`UnknownApiError` other than `InternalError`, a `ResponseDecodeError`
 *   (the server answered), an `HttpStatusError` that carries a request id.
 * - Failure: `NetworkError`, `TimeoutError`, `InternalError`, an `HttpStatusError` 5xx without
 *   request id, a `ResponseParseError` (a gateway page or a body cut short) other than a 4xx.
 * - Not recorded: errors raised before sending (`RequestValidationError`, `CredentialsError`),
 *   `BreakerOpenError`, 4xx answers without request id (a proxy, not the region), interruptions
 *   and defects.
 */
export const classify = (outcome: unknown): boolean | undefined => {
  if (Exit.isExit(outcome)) {
    if (Exit.isSuccess(outcome)) return true
    const failure = outcome.cause._tag === "Fail" ? outcome.cause.error : undefined
    return failure === undefined ? undefined : classifyError(failure)
  }
  return classifyError(outcome)
}

/** {@link classify} for a failure value. */
export const classifyError = (error: unknown): boolean | undefined => classifyFailure(error).region

/** {@link classify} as a predicate: `true` only for outcomes counted as successes. */
export const isSuccess = (outcome: unknown): boolean => classify(outcome) === true

// -------------------------------------------------------------------------------------------------
// the service

/** A state change, as published on {@link RegionBreakerService.changes}. */
export interface BreakerStateChange {
  readonly key: string
  readonly from: BreakerState
  readonly to: BreakerState
  readonly reason: ChangeReason
  readonly generation: number
  /** When it happened: epoch milliseconds from `Clock`. */
  readonly at: number
}

/** The breaker service. */
export interface RegionBreakerService {
  readonly enabled: boolean
  /** Before each attempt; `key` identifies the primary endpoint (e.g. `"cvm|ap-shanghai|host"`). */
  readonly before: (key: string) => Effect.Effect<Ticket>
  /**
   * After each attempt with its outcome (see {@link classify}); results of an older generation are
   * ignored. Call it for every ticket, with `undefined` for an outcome that is not recorded (an
   * interruption included): that frees a `half-open` probe's place at once.
   */
  readonly after: (key: string, ticket: Ticket, success: boolean | undefined) => Effect.Effect<void>
  /** The backup host for a service: `${service}.${backupEndpoint}`. */
  readonly backupHost: (service: string) => string
  /** The state of a key now (`closed` for a key never seen). */
  readonly state: (key: string) => Effect.Effect<BreakerState>
  /** The machine of a key now, counters included (`undefined` for a key never seen). */
  readonly snapshot: (key: string) => Effect.Effect<Machine | undefined>
  /** State changes, from the moment the stream is run. */
  readonly changes: Stream.Stream<BreakerStateChange>
  /** Subscribe now (in a scope) and get every later change; for tests and monitors that must not miss one. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<BreakerStateChange>, never, Scope.Scope>
}

/** The breaker in the context. Absent, the client uses {@link disabled} unless configured otherwise. */
export class RegionBreaker extends Context.Tag("effect-tencentcloud/RegionBreaker")<RegionBreaker, RegionBreakerService>() {}

const closedTicket: Ticket = { generation: 0, useBackup: false }

/** A breaker that never opens: every request goes to the primary endpoint. */
export const disabled: RegionBreakerService = {
  enabled: false,
  before: () => Effect.succeed(closedTicket),
  after: () => Effect.void,
  backupHost: (service) => `${service}.${defaultSettings.backupEndpoint}`,
  state: () => Effect.succeed("closed"),
  snapshot: () => Effect.succeed(undefined),
  changes: Stream.empty,
  subscribe: Effect.flatMap(PubSub.unbounded<BreakerStateChange>(), PubSub.subscribe)
}

interface Entry {
  readonly machine: Machine
  /** State of the cool-down schedule since the last close. */
  readonly cooldownState: unknown
  /** Cool-down of the next opening, computed ahead of it; `undefined` once used. */
  readonly nextCooldown: number | undefined
  readonly lastCooldown: number | undefined
}

/**
 * Build a breaker. Fails with a `RequestValidationError` naming the bad setting.
 *
 * @example
 * ```ts
 * const breaker = yield* RegionBreaker.make({ cooldown: Schedule.exponential("30 seconds") })
 * ```
 */
export const make = (
  settings: Partial<BreakerSettings> = {}
): Effect.Effect<RegionBreakerService, RequestValidationError> =>
  Effect.gen(function* () {
    const s = yield* resolveSettings(settings)
    const hub = yield* PubSub.sliding<BreakerStateChange>(1024)
    const refs = new Map<string, SynchronizedRef.SynchronizedRef<Entry>>()

    const refFor = (key: string, now: number): SynchronizedRef.SynchronizedRef<Entry> => {
      let ref = refs.get(key)
      if (ref === undefined) {
        ref = SynchronizedRef.unsafeMake<Entry>({
          machine: initial(now, s),
          cooldownState: s.cooldown.initial,
          nextCooldown: undefined,
          lastCooldown: undefined
        })
        refs.set(key, ref)
      }
      return ref
    }

    /** Make sure `entry.nextCooldown` is known, stepping the cool-down schedule once if needed. */
    const withCooldown = (entry: Entry, now: number): Effect.Effect<Entry> => {
      if (entry.nextCooldown !== undefined) return Effect.succeed(entry)
      return Effect.map(s.cooldown.step(now, undefined, entry.cooldownState), ([state, , decision]) => {
        const delay = ScheduleDecision.isDone(decision)
          ? entry.lastCooldown ?? s.timeoutMillis
          : Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
        return { ...entry, cooldownState: state, nextCooldown: delay, lastCooldown: delay }
      })
    }

    const publish = (key: string, transitions: ReadonlyArray<Transition>, now: number, m: Machine) =>
      Effect.forEach(
        transitions,
        (t) => {
          const change: BreakerStateChange = { key, from: t.from, to: t.to, reason: t.reason, generation: t.generation, at: now }
          const log = t.to === "open"
            ? Effect.logWarning(
                `region breaker ${key}: ${t.from} → open (${t.reason}); requests go to the backup endpoint *.${s.backupEndpoint} until ${new Date(m.expiry).toISOString()}`
              )
            : Effect.logInfo(
                `region breaker ${key}: ${t.from} → ${t.to} (${t.reason}); ${t.to === "half-open" ? `probing the primary endpoint, ${s.maxRequests} successes close the breaker` : "requests go to the primary endpoint"}`
              )
          return Effect.zipRight(
            log.pipe(Effect.annotateLogs({ breakerKey: key, from: t.from, to: t.to, reason: t.reason })),
            PubSub.publish(hub, change)
          )
        },
        { discard: true }
      )

    /** Run a machine step on a key atomically; publish its changes while holding the key. */
    const run = <B>(key: string, f: (entry: Entry, now: number) => Effect.Effect<readonly [B, Entry, ReadonlyArray<Transition>]>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now0) =>
        SynchronizedRef.modifyEffect(refFor(key, now0), (entry) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.flatMap(f(entry, now), ([b, next, transitions]) =>
              Effect.as(publish(key, transitions, now, next.machine), [b, next] as const)
            )
          )
        )
      )

    const service: RegionBreakerService = {
      enabled: true,
      before: (key) =>
        run(key, (entry, now) => {
          const step = before(entry.machine, now, s)
          return Effect.succeed([step.ticket, { ...entry, machine: step.machine }, step.transitions] as const)
        }),
      after: (key, ticket, success) =>
        run(key, (entry0, now) =>
          Effect.map(withCooldown(entry0, now), (entry) => {
            const cooldown = entry.nextCooldown ?? s.timeoutMillis
            const step = after(entry.machine, now, ticket, success, s, () => cooldown)
            const m = step.machine
            const opened = m.openings > entry.machine.openings
            const next: Entry = m.state === "closed" && entry.machine.state !== "closed"
              ? { machine: m, cooldownState: s.cooldown.initial, nextCooldown: undefined, lastCooldown: undefined }
              : { ...entry, machine: m, nextCooldown: opened ? undefined : entry.nextCooldown }
            return [undefined, next, step.transitions] as const
          })
        ),
      backupHost: (service) => `${service}.${s.backupEndpoint}`,
      state: (key) =>
        Effect.map(service.snapshot(key), (m) => (m === undefined ? "closed" : m.state)),
      snapshot: (key) =>
        refs.has(key)
          ? run(key, (entry, now) => {
              const step = advance(entry.machine, now, s)
              return Effect.succeed([step.machine as Machine | undefined, { ...entry, machine: step.machine }, step.transitions] as const)
            })
          : Effect.succeed(undefined),
      changes: Stream.fromPubSub(hub),
      subscribe: PubSub.subscribe(hub)
    }
    return service
  })

/** A layer with an enabled breaker. */
export const layer = (settings: Partial<BreakerSettings> = {}): Layer.Layer<RegionBreaker, RequestValidationError> =>
  Layer.effect(RegionBreaker, make(settings))

/** A layer with the {@link disabled} breaker (the default behaviour, made explicit). */
export const layerDisabled: Layer.Layer<RegionBreaker> = /*#__PURE__*/ Layer.succeed(RegionBreaker, disabled)
