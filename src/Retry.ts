/**
 * Retries as Effect `Schedule`s.
 *
 * A {@link RetryPolicy} turns one call (its {@link ActionInfo} and whether it is safe to repeat)
 * into the `Schedule` that the call pipeline hands to `Effect.retry`. The schedule sees every
 * failed attempt (a {@link CallError}) and decides whether to try again and after how long. Each
 * attempt is signed again with a fresh timestamp by the pipeline; a `ClientToken` is filled once
 * and reused, so the server recognises a repeated create.
 *
 * The default policy ({@link defaultPolicy}) retries throttling (`RequestLimitExceeded*`) on every
 * action, retries transport failures only when the action is safe to repeat, never retries
 * `InternalError`, waits an exponentially growing, jittered, capped delay, and stops after 3
 * retries. {@link make} builds variants; {@link none} never retries; {@link backoff} holds the
 * Huawei Cloud SDK's named backoff strategies as schedules.
 *
 * Time comes from `Clock` and randomness from `Random`, so `TestClock` and seeded or fixed
 * `Random` services make every delay reproducible in tests.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import type { ActionInfo, CallError } from "./core/Call.js"
import { type Override, override } from "./core/Overrides.js"
import { classify } from "./Errors.js"

// -------------------------------------------------------------------------------------------------
// classification

/** What a policy knows about the call it schedules. */
export interface RetryContext {
  readonly info: ActionInfo
  /** true when the action is safe to repeat (see {@link isSafeToRepeat}). */
  readonly safe: boolean
}

/** A retry policy: given the call, the `Schedule` used with `Effect.retry` over `CallError`. */
export type RetryPolicy = (ctx: RetryContext) => Schedule.Schedule<unknown, CallError>

/** Action-name prefixes of read-only actions. */
export const readOnlyPrefixes: ReadonlyArray<string> = [
  "Describe",
  "Get",
  "List",
  "Query",
  "Inquiry",
  "Check",
  "Search",
  "Export"
]

const startsWithWord = (action: string, prefix: string): boolean => {
  if (!action.startsWith(prefix)) return false
  // "GetUser" and "Get" match, "Getaway" or "Listen" do not: the prefix must end a PascalCase word.
  const next = action.charAt(prefix.length)
  return next === "" || !(next >= "a" && next <= "z")
}

/**
 * Whether repeating the action cannot do harm: `info.idempotent` when set (`false` forces
 * unsafe), otherwise a request with a `ClientToken` (the server de-duplicates it) or a
 * read-only action name (`Describe*`, `Get*`, `List*`, `Query*`, `Inquiry*`, `Check*`,
 * `Search*`, `Export*`).
 *
 * @example
 * ```ts
 * Retry.isSafeToRepeat({ service: "cvm", version: "2017-03-12", action: "DescribeInstances" }) // true
 * Retry.isSafeToRepeat({ service: "cvm", version: "2017-03-12", action: "RunInstances" })      // false
 * ```
 */
export const isSafeToRepeat = (info: ActionInfo): boolean => {
  if (info.idempotent === false) return false
  if (info.idempotent === true) return true
  if (info.clientToken === true) return true
  return readOnlyPrefixes.some((p) => startsWithWord(info.action, p))
}


/**
 * The default retry condition, from `Errors.classify` (the rule the breaker and spans use too):
 * `always` failures are retried on every call, `ifSafe` ones only when the call is safe to repeat.
 *
 * - Throttling (`RequestLimitExceeded*`, `LimitExceeded.RequestFrequency`, HTTP 429): always;
 *   the server refused the request, so nothing ran.
 * - A connection that could not be opened (`NetworkError` with reason `Connect` or `DNS`): always;
 *   nothing was sent.
 * - Other transport failures (`NetworkError`, `TimeoutError`, `HttpStatusError` 5xx,
 *   `ResponseParseError` such as a body cut short) and the `ServiceUnavailable` code: only when
 *   `ctx.safe`, because the request may have run.
 * - Never `InternalError` (the action may have run), never client errors.
 */
/** The server refused to run the call (throttling code of any protocol, HTTP 429): the slower backoff applies. */
const isThrottled = (e: CallError): boolean => {
  const c = classify(e)
  return c.retry === "always" && (c.code !== undefined || e._tag === "HttpStatusError")
}

export const isRetryable = (error: CallError, ctx: RetryContext): boolean => {
  const c = classify(error)
  return c.retry === "always" || (c.retry === "ifSafe" && ctx.safe)
}

// -------------------------------------------------------------------------------------------------
// policies

/** Options of {@link make}. Every field is optional; the defaults are those of {@link defaultPolicy}. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3, so at most 4 attempts). Negative counts as 0. */
  readonly maxRetries?: number | undefined
  /** Base delay for transport failures (default 100 ms): retry n waits about base·2^n. */
  readonly base?: Duration.DurationInput | undefined
  /** Base delay for throttling (default 1 s): Tencent Cloud limits are per second. */
  readonly throttlingBase?: Duration.DurationInput | undefined
  /** Upper bound of any single delay (default 20 s). */
  readonly cap?: Duration.DurationInput | undefined
  /**
   * A schedule that replaces the built-in delays, e.g. `Retry.backoff.equalJitter` or
   * `Schedule.spaced("1 second")`. `maxRetries` and `retryOn` still apply.
   */
  readonly backoff?: Schedule.Schedule<unknown, CallError> | undefined
  /** Which failures to retry (default {@link isRetryable}). */
  readonly retryOn?: ((error: CallError, ctx: RetryContext) => boolean) | undefined
}

/** The defaults of {@link defaultPolicy}. */
export const defaults = {
  maxRetries: 3,
  base: Duration.millis(100),
  throttlingBase: Duration.seconds(1),
  cap: Duration.seconds(20)
} as const

/**
 * The delay before retry number `retry` (0 for the first retry): "equal jitter" over a capped
 * exponential, `d/2 + r·d/2` with `d = min(cap, base·2^retry)` and `r` in [0, 1). The fixed half
 * guarantees the wait grows; the random half spreads clients that failed together.
 */
export const jitteredDelayMillis = (retry: number, baseMillis: number, capMillis: number, r: number): number => {
  const d = Math.min(capMillis, baseMillis * Math.pow(2, retry))
  return Math.floor(d / 2 + (r * d) / 2)
}

const continueAfter = (now: number, delayMillis: number) =>
  ScheduleDecision.continueWith(ScheduleInterval.after(now + Math.max(0, delayMillis)))

const clampRetries = (n: number | undefined): number =>
  n === undefined || Number.isNaN(n) ? defaults.maxRetries : Math.max(0, Math.floor(n))

/**
 * Build a policy. Without `backoff` the delays are {@link jitteredDelayMillis} with `throttlingBase`
 * for throttling errors and `base` for everything else; the schedule outputs the delay it chose.
 *
 * @example
 * ```ts
 * // 5 retries, throttling only, Huawei-style equal jitter
 * const policy = Retry.make({
 *   maxRetries: 5,
 *   retryOn: (e) => Errors.isThrottling(e),
 *   backoff: Retry.backoff.equalJitter
 * })
 * ```
 */
export const make = (options: RetryOptions = {}): RetryPolicy => {
  const maxRetries = clampRetries(options.maxRetries)
  const baseMillis = Duration.toMillis(options.base ?? defaults.base)
  const throttlingMillis = Duration.toMillis(options.throttlingBase ?? defaults.throttlingBase)
  const capMillis = Duration.toMillis(options.cap ?? defaults.cap)
  const retryOn = options.retryOn ?? isRetryable
  const backoffSchedule = options.backoff
  if (backoffSchedule !== undefined) {
    return (ctx) =>
      backoffSchedule.pipe(
        Schedule.intersect(Schedule.recurs(maxRetries)),
        Schedule.whileInput((e: CallError) => retryOn(e, ctx)),
        Schedule.map(([out]) => out as unknown)
      )
  }
  return (ctx) =>
    Schedule.makeWithState<number, CallError, Duration.Duration>(0, (now, error, retries) => {
      if (retries >= maxRetries || !retryOn(error, ctx)) {
        return Effect.succeed([retries, Duration.zero, ScheduleDecision.done] as const)
      }
      const base = isThrottled(error) ? throttlingMillis : baseMillis
      return Effect.map(Random.next, (r) => {
        const delay = jitteredDelayMillis(retries, base, capMillis, r)
        return [retries + 1, Duration.millis(delay), continueAfter(now, delay)] as const
      })
    })
}

/**
 * The default policy: {@link isRetryable} failures, at most 3 retries, equal-jitter exponential
 * delays capped at 20 s — 50–100, 100–200, 200–400 ms for transport failures and 0.5–1, 1–2,
 * 2–4 s for throttling.
 */
export const defaultPolicy: RetryPolicy = /*#__PURE__*/ make()

/** Never retry. */
export const none: RetryPolicy = () => Schedule.stop

// -------------------------------------------------------------------------------------------------
// Huawei Cloud SDK backoff strategies

const HUAWEI_BASE_MS = 10
const HUAWEI_MAX_MS = 60_000

/** `min(60000, 10·2^retries)` ms, the Huawei SDK's exponential delay for retry number `retries` (from 1). */
export const huaweiExponentialMillis = (retries: number): number => Math.min(HUAWEI_MAX_MS, HUAWEI_BASE_MS * Math.pow(2, retries))

/** Python's `randint(a, b)`: an integer in [a, b], both inclusive, from Effect's `Random`. */
const randint = (a: number, b: number): Effect.Effect<number> => Random.nextIntBetween(a, b + 1)

/**
 * A schedule that recurs forever; before retry `n` (1 for the first retry, as the Huawei invoker
 * counts) it waits and outputs `delay(n)` milliseconds.
 */
export const fromDelays = (delay: (retries: number) => Effect.Effect<number>): Schedule.Schedule<Duration.Duration> =>
  Schedule.makeWithState<number, unknown, Duration.Duration>(0, (now, _input, n) =>
    Effect.map(delay(n + 1), (ms) => [n + 1, Duration.millis(ms), continueAfter(now, ms)] as const)
  )

/**
 * The Huawei Cloud SDK v3 `BackoffStrategies` (`retry/backoff_strategy.py`) as schedules, with
 * the same delays in milliseconds for retry number `retries` (1, 2, ...):
 *
 * - `none`: 0.
 * - `exponential`: `min(60000, 10·2^retries)` (20, 40, 80, ...). Huawei keeps it as the parent
 *   class and does not expose it; it is here for completeness.
 * - `equalJitter`: `h + randint(1, h)` with `h = floor(exponential/2)`: 11–20 for retries = 1,
 *   41–80 for retries = 3.
 * - `randomJitter`: `randint(1, exponential)`.
 * - `decorrelatedJitter`: `min(60000, randint(10, 30))`, ignoring `retries` and the previous delay
 *   exactly as Huawei does (it is not the decorrelated jitter of the AWS article).
 *
 * They recur forever: bound them with `Retry.make({ maxRetries, backoff })` or `Schedule.recurs`.
 */
export const backoff: {
  readonly none: Schedule.Schedule<Duration.Duration>
  readonly exponential: Schedule.Schedule<Duration.Duration>
  readonly equalJitter: Schedule.Schedule<Duration.Duration>
  readonly randomJitter: Schedule.Schedule<Duration.Duration>
  readonly decorrelatedJitter: Schedule.Schedule<Duration.Duration>
} = {
  none: fromDelays(() => Effect.succeed(0)),
  exponential: fromDelays((n) => Effect.succeed(huaweiExponentialMillis(n))),
  equalJitter: fromDelays((n) => {
    const h = Math.floor(huaweiExponentialMillis(n) / 2)
    return Effect.map(randint(1, h), (j) => h + j)
  }),
  randomJitter: fromDelays((n) => randint(1, huaweiExponentialMillis(n))),
  decorrelatedJitter: fromDelays(() => Effect.map(randint(10, 30), (d) => Math.min(HUAWEI_MAX_MS, d)))
}

// -------------------------------------------------------------------------------------------------
// per-call override

/**
 * The retry policy of the current call. Its default is {@link defaultPolicy}; a client configured
 * with its own policy uses that unless a call sets this reference with {@link withRetryPolicy}.
 */
export class CurrentRetryPolicy extends /*#__PURE__*/ Context.Reference<CurrentRetryPolicy>()(
  "effect-tencentcloud/Retry/CurrentRetryPolicy",
  { defaultValue: (): RetryPolicy => defaultPolicy }
) {}

/**
 * Run the calls inside `self` (an Effect or a Stream) with another retry policy.
 *
 * @example
 * ```ts
 * Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Retry.withRetryPolicy(Retry.none))
 * ```
 */
export const withRetryPolicy: Override<RetryPolicy> = /*#__PURE__*/ dual(
  2,
  (self: Effect.Effect<unknown, unknown, unknown> | Stream.Stream<unknown, unknown, unknown>, policy: RetryPolicy) => {
    const inner = retryPolicyOverride(self as Effect.Effect<unknown, unknown, unknown>, policy)
    return Effect.isEffect(inner)
      ? Effect.provideService(inner, CurrentRetryPolicy, policy)
      : Stream.provideService(inner as Stream.Stream<unknown, unknown, unknown>, CurrentRetryPolicy, policy)
  }
) as Override<RetryPolicy>

const retryPolicyOverride = /*#__PURE__*/ override<RetryPolicy>((o, retryPolicy) => ({ ...o, retryPolicy }))
