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
 * {@link after}) and tested without layers; {@link make} keeps one per key, with time from
 * `Clock`: its effectful steps hold a lock per key, and the engine's fast path steps it in plain
 * code ({@link RegionBreakerService.tryBefore}, {@link RegionBreakerService.tryAfter}) whenever
 * that changes no state.
 *
 * Disabled by default, like the official SDKs: provide {@link layer} to turn it on.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { classify as classifyFailure, RequestValidationError } from "./Errors.js"
import { advance, after, before, type BreakerState, type ChangeReason, initial, type Machine, type Ticket, type Transition } from "./internal/breakerMachine.js"
import { type BreakerSettings, defaultSettings, resolveSettings } from "./internal/breakerSettings.js"

export { type BreakerSettings, defaultSettings, type ResolvedSettings, resolveSettings, validateBackupEndpoint } from "./internal/breakerSettings.js"

export {
  advance,
  after,
  before,
  type BreakerState,
  type ChangeReason,
  type Counts,
  initial,
  type Machine,
  type MachineSettings,
  probeLimit,
  type Step,
  type Ticket,
  type Transition
} from "./internal/breakerMachine.js"

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
  /**
   * {@link before} as plain code at `nowMillis`, for the engine's fast path: the ticket, or
   * `undefined` when the step changes the state or the key is busy (then use {@link before}).
   */
  readonly tryBefore?: ((key: string, nowMillis: number) => Ticket | undefined) | undefined
  /**
   * {@link after} as plain code at `nowMillis`: `true` when done, `false` when the step changes the
   * state, needs the cool-down schedule or the key is busy (then use {@link after}; nothing was changed).
   */
  readonly tryAfter?: ((key: string, ticket: Ticket, success: boolean | undefined, nowMillis: number) => boolean) | undefined
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
export class RegionBreaker extends /*#__PURE__*/ Context.Tag("effect-tencentcloud/RegionBreaker")<RegionBreaker, RegionBreakerService>() {}

const closedTicket: Ticket = { generation: 0, useBackup: false }

/** A breaker that never opens: every request goes to the primary endpoint. */
export const disabled: RegionBreakerService = {
  enabled: false,
  before: () => Effect.succeed(closedTicket),
  after: () => Effect.void,
  tryBefore: () => closedTicket,
  tryAfter: () => true,
  backupHost: (service) => `${service}.${defaultSettings.backupEndpoint}`,
  state: () => Effect.succeed("closed"),
  snapshot: () => Effect.succeed(undefined),
  changes: Stream.empty,
  subscribe: Effect.flatMap(PubSub.unbounded<BreakerStateChange>(), PubSub.subscribe)
}

interface Cell {
  entry: Entry
  /** Effectful steps holding the key now. */
  busy: number
  readonly lock: Effect.Semaphore
  /** The primary's ticket of the closed generation `closedTicket.generation` (shared: tickets are data). */
  closedTicket: Ticket | undefined
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
    // One cell per key. The effectful steps (those that publish changes or step the cool-down
    // schedule) hold the key's lock and mark it busy; the plain-code steps of the fast path run only
    // on a key nobody holds, and only when they change no state.
    const cells = new Map<string, Cell>()

    const cellFor = (key: string, now: number): Cell => {
      let cell = cells.get(key)
      if (cell === undefined) {
        cell = {
          entry: { machine: initial(now, s), cooldownState: s.cooldown.initial, nextCooldown: undefined, lastCooldown: undefined },
          busy: 0,
          lock: Effect.unsafeMakeSemaphore(1),
          closedTicket: undefined
        }
        cells.set(key, cell)
      }
      return cell
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
      Effect.flatMap(Clock.currentTimeMillis, (now0) => {
        const cell = cellFor(key, now0)
        return cell.lock.withPermits(1)(
          Effect.acquireUseRelease(
            Effect.sync(() => cell.busy++),
            () =>
              Effect.flatMap(Clock.currentTimeMillis, (now) =>
                Effect.flatMap(f(cell.entry, now), ([b, next, transitions]) => {
                  cell.entry = next
                  return Effect.as(publish(key, transitions, now, next.machine), b)
                })
              ),
            () => Effect.sync(() => cell.busy--)
          )
        )
      })

    const afterStep = (entry: Entry, now: number, ticket: Ticket, success: boolean | undefined): { readonly next: Entry; readonly transitions: ReadonlyArray<Transition> } => {
      const cooldown = entry.nextCooldown ?? s.timeoutMillis
      const step = after(entry.machine, now, ticket, success, s, () => cooldown)
      const m = step.machine
      const opened = m.openings > entry.machine.openings
      const next: Entry = m.state === "closed" && entry.machine.state !== "closed"
        ? { machine: m, cooldownState: s.cooldown.initial, nextCooldown: undefined, lastCooldown: undefined }
        : m === entry.machine ? entry : { ...entry, machine: m, nextCooldown: opened ? undefined : entry.nextCooldown }
      return { next, transitions: step.transitions }
    }

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
            const { next, transitions } = afterStep(entry, now, ticket, success)
            return [undefined, next, transitions] as const
          })
        ),
      tryBefore: (key, now) => {
        const cell = cellFor(key, now)
        if (cell.busy > 0) return undefined
        const m = cell.entry.machine
        // closed inside its window (the common case): the primary's ticket, nothing changes
        if (m.state === "closed" && m.expiry > now) {
          const t = cell.closedTicket
          return t !== undefined && t.generation === m.generation ? t : (cell.closedTicket = { generation: m.generation, useBackup: false })
        }
        const step = before(m, now, s)
        if (step.transitions.length > 0) return undefined
        if (step.machine !== cell.entry.machine) cell.entry = { ...cell.entry, machine: step.machine }
        return step.ticket
      },
      tryAfter: (key, ticket, success, now) => {
        const cell = cellFor(key, now)
        if (cell.busy > 0) return false
        const m = cell.entry.machine
        // a success of this closed generation inside its window (the common case): counted, nothing else changes
        if (success === true && !ticket.useBackup && ticket.probe !== true && m.state === "closed" && m.expiry > now && ticket.generation === m.generation) {
          const c = m.counts
          const counts = { failures: c.failures, total: c.total + 1, consecutiveSuccesses: c.consecutiveSuccesses + 1, consecutiveFailures: 0 }
          cell.entry = { ...cell.entry, machine: { ...m, counts } }
          return true
        }
        const { next, transitions } = afterStep(cell.entry, now, ticket, success)
        // an opening needs the cool-down schedule's next delay: the effectful step computes it
        if (transitions.length > 0) return false
        cell.entry = next
        return true
      },
      backupHost: (service) => `${service}.${s.backupEndpoint}`,
      state: (key) =>
        Effect.map(service.snapshot(key), (m) => (m === undefined ? "closed" : m.state)),
      snapshot: (key) =>
        cells.has(key)
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
