/**
 * The cache in front of expiring credentials: refresh ahead of expiry, one refresh in flight for
 * any number of callers, a refresh that hangs or fails never blocks callers while the current
 * credential is still valid, and failed refreshes back off instead of being retried by every
 * caller. Time comes from `Clock`, so `TestClock` drives it.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import { CredentialsError } from "../../Errors.js"
import { type Credential, type CredentialsService, isoTime, type Source, toEffect } from "./service.js"

/** Options of `cached`. */
export interface CachedOptions {
  /**
   * Refresh this long before `expiresAt`. Default: 5 minutes or 10 % of the credential's lifetime
   * (seen when it arrived), whichever is smaller. A value given here is capped at half the
   * lifetime, so a short-lived credential is not refreshed on every call.
   */
  readonly refreshBefore?: Duration.DurationInput | undefined
  /** A refresh that has not finished after this long fails (default 1 minute). */
  readonly refreshTimeout?: Duration.DurationInput | undefined
  /**
   * After a failed background refresh, the next one waits this long, doubling after each further
   * failure up to {@link maxRetryDelay} (default 1 second).
   */
  readonly retryDelay?: Duration.DurationInput | undefined
  /** The longest wait between failed background refreshes (default 1 minute). */
  readonly maxRetryDelay?: Duration.DurationInput | undefined
}

interface Entry {
  readonly credential: Credential
  /** Serve without refreshing while `now < refreshAt`. */
  readonly refreshAt: number
  /** Still valid (served while a refresh runs or fails) while `now < expiresAt`. */
  readonly expiresAt: number
}

type Flight = Deferred.Deferred<Credential, CredentialsError>

interface CacheState {
  readonly entry: Entry | undefined
  readonly inflight: Flight | undefined
  /** Failed (or unproductive) background refreshes in a row. */
  readonly failures: number
  /** No background refresh starts before this time. */
  readonly retryAt: number
}

type Step =
  | { readonly _tag: "Hit"; readonly credential: Credential; readonly start?: Flight | undefined }
  | { readonly _tag: "Wait"; readonly flight: Flight; readonly start: boolean }

const millis = (d: Duration.DurationInput | undefined, dflt: number) =>
  d === undefined ? dflt : Math.max(0, Duration.toMillis(Duration.decode(d)))

/**
 * Cache a source of (possibly expiring) credentials.
 *
 * - Served from the cache while `now < expiresAt − margin` (see {@link CachedOptions.refreshBefore});
 *   a credential without `expiresAt` is kept forever.
 * - Inside the refresh window (`expiresAt − margin ≤ now < expiresAt`) every caller gets the
 *   current credential at once and one refresh runs in the background. If it fails (or takes
 *   longer than `refreshTimeout`), the next one waits (`retryDelay`, doubling up to
 *   `maxRetryDelay`); callers keep getting the valid credential meanwhile.
 * - With no valid credential (first use, or expired) callers wait for one refresh, shared by all
 *   of them and bounded by `refreshTimeout`. Its failure reaches them and is not cached: the next
 *   `get` tries again.
 * - A refresh runs in its own fiber: interrupting a caller never cancels it for the others.
 * - The secret id, key and token returned together always come from the same refresh.
 * - A source that returns an already expired credential fails the refresh.
 */
export const cached = (source: Source, options: CachedOptions = {}): Effect.Effect<CredentialsService> =>
  Effect.gen(function* () {
    const fetch = toEffect(source)
    const explicitMargin = options.refreshBefore === undefined ? undefined : millis(options.refreshBefore, 0)
    const timeout = millis(options.refreshTimeout, 60_000)
    const retryDelay = millis(options.retryDelay, 1_000)
    const maxRetryDelay = Math.max(retryDelay, millis(options.maxRetryDelay, 60_000))
    const state = yield* Ref.make<CacheState>({ entry: undefined, inflight: undefined, failures: 0, retryAt: 0 })
    // the entry in `state`, for `peek` (plain code; written only where `state`'s entry changes)
    let fresh: Entry | undefined

    const marginFor = (lifetime: number) =>
      explicitMargin !== undefined ? Math.min(explicitMargin, lifetime / 2) : Math.min(5 * 60_000, lifetime / 10)

    const backoff = (failures: number) => Math.min(maxRetryDelay, retryDelay * 2 ** Math.min(30, failures - 1))

    const settle = (flight: Flight, exit: Exit.Exit<Credential, CredentialsError>) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        let result = exit
        let entry: Entry | undefined
        if (Exit.isSuccess(exit)) {
          const c = exit.value
          if (c.expiresAt === undefined) {
            entry = { credential: c, refreshAt: Infinity, expiresAt: Infinity }
          } else if (!(c.expiresAt > now)) {
            result = Exit.fail(
              new CredentialsError({
                provider: "cached",
                message: `the credential source returned a credential that expired at ${isoTime(c.expiresAt)} (now ${isoTime(now)}); check the system clock and the source`
              })
            )
          } else {
            const lifetime = c.expiresAt - now
            entry = { credential: c, refreshAt: c.expiresAt - marginFor(lifetime), expiresAt: c.expiresAt }
          }
        }
        yield* Ref.update(state, (s) => {
          fresh = entry ?? s.entry
          // a success whose credential is itself due for refresh (the source had nothing newer)
          // backs off like a failure, so that callers do not start a refresh on every get
          const productive = entry !== undefined && entry.refreshAt > now
          const failures = productive ? 0 : s.failures + 1
          return {
            entry: entry ?? s.entry,
            inflight: undefined,
            failures,
            retryAt: productive ? 0 : now + backoff(failures)
          }
        })
        yield* Deferred.done(flight, result)
      })

    const timedOut = new CredentialsError({
      provider: "cached",
      message: `the credential source did not answer within ${timeout} ms; check that it is reachable (refreshTimeout sets this limit)`
    })

    // The refresh runs in a daemon fiber: it settles the flight whether or not the caller that
    // started it is still there; an interruption of the refresh itself settles it too.
    const refresh = (flight: Flight) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.flatMap(
          Effect.exit(restore(Effect.timeoutFail(fetch, { duration: Duration.millis(timeout), onTimeout: () => timedOut }))),
          (exit) => settle(flight, exit)
        )
      )

    // Taking the lead and starting the refresh happen without interruption in between: a caller
    // interrupted there would leave a flight that nobody runs and everybody waits for.
    const decide: Effect.Effect<Step> = Effect.uninterruptible(Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const fiberId = yield* Effect.fiberId
      const step = yield* Ref.modify(state, (s): [Step, CacheState] => {
        const e = s.entry
        if (e !== undefined && now < e.refreshAt) return [{ _tag: "Hit", credential: e.credential }, s]
        if (e !== undefined && now < e.expiresAt) {
          if (s.inflight !== undefined || now < s.retryAt) return [{ _tag: "Hit", credential: e.credential }, s]
          const flight = Deferred.unsafeMake<Credential, CredentialsError>(fiberId)
          return [{ _tag: "Hit", credential: e.credential, start: flight }, { ...s, inflight: flight }]
        }
        if (s.inflight !== undefined) return [{ _tag: "Wait", flight: s.inflight, start: false }, s]
        const flight = Deferred.unsafeMake<Credential, CredentialsError>(fiberId)
        return [{ _tag: "Wait", flight, start: true }, { ...s, inflight: flight }]
      })
      if (step._tag === "Hit" && step.start !== undefined) yield* Effect.forkDaemon(Effect.interruptible(refresh(step.start)))
      if (step._tag === "Wait" && step.start) yield* Effect.forkDaemon(Effect.interruptible(refresh(step.flight)))
      return step
    }))

    const get: Effect.Effect<Credential, CredentialsError> = Effect.gen(function* () {
      const step = yield* decide
      if (step._tag === "Hit") return step.credential
      const exit = yield* Effect.exit(Deferred.await(step.flight))
      if (Exit.isSuccess(exit)) return exit.value
      const later = yield* Clock.currentTimeMillis
      const { entry } = yield* Ref.get(state)
      if (entry !== undefined && later < entry.expiresAt) return entry.credential
      return yield* exit
    })
    // a credential is at hand while it needs no refresh; inside the refresh window `get` starts one
    const peek = (now: number): Credential | undefined => (fresh !== undefined && now < fresh.refreshAt ? fresh.credential : undefined)
    return { get, peek }
  })
