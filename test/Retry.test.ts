import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FastCheck from "effect/FastCheck"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as TestClock from "effect/TestClock"
import type { ActionInfo, CallError } from "../src/Client.js"
import * as Errors from "../src/Errors.js"
import * as Retry from "../src/Retry.js"

// -------------------------------------------------------------------------------------------------
// fixtures

const site = { service: "cvm", version: "2017-03-12", action: "DescribeInstances" }
const describeInstances: ActionInfo = { service: "cvm", version: "2017-03-12", action: "DescribeInstances" }
const runInstances: ActionInfo = { service: "cvm", version: "2017-03-12", action: "RunInstances" }
const runInstancesWithToken: ActionInfo = { ...runInstances, clientToken: true }

const api = (code: string): CallError => new Errors.ApiError({ ...site, code, serverMessage: "m", requestId: "req" })
const throttled = api("RequestLimitExceeded")
const internal = api("InternalError")
const reset = new Errors.NetworkError({ ...site, reason: "Reset", traceId: "t", message: "reset" })
const refused = new Errors.NetworkError({ ...site, reason: "Connect", traceId: "t", message: "refused" })
const timeout = new Errors.TimeoutError({ ...site, timeoutMillis: 1000, traceId: "t", message: "timeout" })
const http = (status: number, requestId?: string) =>
  new Errors.HttpStatusError({ ...site, status, traceId: "t", requestId, bodyExcerpt: "", message: `HTTP ${status}` })
const parse = new Errors.ResponseParseError({ ...site, status: 200, contentType: "application/json", traceId: "t", bodyExcerpt: "{\"Resp", message: "cut short" })

/**
 * Run `Effect.retry` over an attempt that fails with `errors[n]` (and succeeds once they run out),
 * under the TestClock. Returns the number of attempts, their times and the delays between them.
 */
const drive = (
  schedule: Schedule.Schedule<unknown, CallError>,
  errors: ReadonlyArray<CallError> | ((attempt: number) => CallError | undefined),
  random: Random.Random = Random.fixed([1])
) =>
  Effect.gen(function* () {
    const times: Array<number> = []
    const attempt = Effect.suspend(() =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        times.push(now)
        const n = times.length
        const e = typeof errors === "function" ? errors(n) : errors[n - 1]
        return e === undefined ? Effect.succeed(n) : Effect.fail(e)
      })
    )
    const fiber = yield* Effect.fork(Effect.exit(Effect.retry(attempt, schedule)).pipe(Effect.withRandom(random)))
    yield* TestClock.adjust("1 hour")
    const exit = yield* Fiber.join(fiber)
    const delays = times.slice(1).map((t, i) => t - times[i])
    return { exit, attempts: times.length, delays }
  })

const always = (e: CallError) => () => e
const policyFor = (info: ActionInfo, policy: Retry.RetryPolicy = Retry.defaultPolicy) =>
  policy({ info, safe: Retry.isSafeToRepeat(info) })

/** Step a schedule `n` times at time 0 and return the delays (ms) it chose, checking output = delay. */
const delaysOf = (schedule: Schedule.Schedule<Duration.Duration>, n: number) =>
  Effect.gen(function* () {
    let state = schedule.initial
    const out: Array<number> = []
    for (let i = 0; i < n; i++) {
      const [next, d, decision] = yield* schedule.step(0, undefined, state)
      if (!ScheduleDecision.isContinue(decision)) throw new Error("schedule stopped")
      expect(ScheduleIntervals.start(decision.intervals)).toBe(Duration.toMillis(d))
      out.push(Duration.toMillis(d))
      state = next
    }
    return out
  })

// -------------------------------------------------------------------------------------------------

describe("isSafeToRepeat", () => {
  it("treats read-only prefixes, ClientToken and idempotent as safe", () => {
    const a = (action: string, extra: Partial<ActionInfo> = {}): boolean =>
      Retry.isSafeToRepeat({ service: "x", version: "2020-01-01", action, ...extra })
    for (const action of ["DescribeInstances", "GetUser", "ListKeys", "QueryTask", "InquiryPriceRunInstances", "CheckName", "SearchLog", "ExportImages", "Describe"]) {
      expect(a(action), action).toBe(true)
    }
    for (const action of ["RunInstances", "CreateVpc", "DeleteUser", "Getaway", "Listen", "Checkout", "Queryable", "TerminateInstances"]) {
      expect(a(action), action).toBe(false)
    }
    expect(a("RunInstances", { clientToken: true })).toBe(true)
    expect(a("RunInstances", { idempotent: true })).toBe(true)
    expect(a("DescribeInstances", { idempotent: false })).toBe(false)
    expect(a("RunInstances", { clientToken: true, idempotent: false })).toBe(false)
  })
})

describe("isRetryable", () => {
  const safe = { info: describeInstances, safe: true }
  const unsafe = { info: runInstances, safe: false }
  it("retries throttling always, transport only when safe, never InternalError", () => {
    for (const code of ["RequestLimitExceeded", "RequestLimitExceeded.UinLimitExceeded", "RequestLimitExceeded.GlobalRegionUinLimitExceeded", "RequestLimitExceeded.IPLimitExceeded"]) {
      expect(Retry.isRetryable(api(code), unsafe), code).toBe(true)
    }
    const unknownThrottle = Errors.UnknownApiError.make({ ...site, code: "RequestLimitExceeded.Other", serverMessage: "m", requestId: "r" })
    expect(Retry.isRetryable(unknownThrottle, unsafe)).toBe(true)
    expect(Retry.isRetryable(http(429), unsafe)).toBe(true)
    for (const e of [reset, timeout, http(502), http(503), parse, api("ServiceUnavailable")]) {
      expect(Retry.isRetryable(e, safe), e.message).toBe(true)
      expect(Retry.isRetryable(e, unsafe), e.message).toBe(false)
    }
    expect(Retry.isRetryable(refused, unsafe)).toBe(true) // nothing was sent
    expect(Retry.isRetryable(internal, safe)).toBe(false)
    expect(Retry.isRetryable(internal, unsafe)).toBe(false)
    expect(Retry.isRetryable(http(404), safe)).toBe(false)
    expect(Retry.isRetryable(api("InvalidParameter"), safe)).toBe(false)
    expect(Retry.isRetryable(Errors.RequestValidationError.make({ field: "region", problem: "p", fix: "f" }), safe)).toBe(false)
    expect(Retry.isRetryable(new Errors.CredentialsError({ provider: "env", message: "m" }), safe)).toBe(false)
  })
})

describe("defaultPolicy", () => {
  it.effect("retries throttling 3 times with growing delays (jitter at its maximum), then fails", () =>
    Effect.gen(function* () {
      const r = yield* drive(policyFor(runInstances), always(throttled))
      expect(r.attempts).toBe(4)
      expect(r.delays).toEqual([1000, 2000, 4000])
      expect(r.exit).toStrictEqual(Exit.fail(throttled))
    }))

  it.effect("throttling delays at the jitter minimum are half of the maximum", () =>
    Effect.gen(function* () {
      const r = yield* drive(policyFor(runInstances), always(throttled), Random.fixed([0]))
      expect(r.delays).toEqual([500, 1000, 2000])
    }))

  it.effect("stops retrying once an attempt succeeds", () =>
    Effect.gen(function* () {
      const r = yield* drive(policyFor(runInstances), [throttled, throttled])
      expect(r.attempts).toBe(3)
      expect(r.exit).toStrictEqual(Exit.succeed(3))
    }))

  it.effect("caps every delay", () =>
    Effect.gen(function* () {
      const capped = Retry.make({ cap: "1500 millis" })
      const r = yield* drive(policyFor(runInstances, capped), always(throttled))
      expect(r.delays).toEqual([1000, 1500, 1500])
      const long = Retry.make({ maxRetries: 8 })
      const r2 = yield* drive(policyFor(runInstances, long), always(throttled))
      expect(r2.attempts).toBe(9)
      expect(r2.delays).toEqual([1000, 2000, 4000, 8000, 16000, 20000, 20000, 20000])
    }))

  it.effect("retries a transport failure of a Describe action with 100 ms based delays", () =>
    Effect.gen(function* () {
      const r = yield* drive(policyFor(describeInstances), always(reset))
      expect(r.attempts).toBe(4)
      expect(r.delays).toEqual([100, 200, 400])
      const t = yield* drive(policyFor(describeInstances), [timeout, http(502)])
      expect(t.attempts).toBe(3)
      expect(Exit.isSuccess(t.exit)).toBe(true)
    }))

  it.effect("does not retry a transport failure of RunInstances without a ClientToken", () =>
    Effect.gen(function* () {
      for (const e of [reset, timeout, http(502)]) {
        const r = yield* drive(policyFor(runInstances), always(e))
        expect(r.attempts).toBe(1)
        expect(r.exit).toStrictEqual(Exit.fail(e))
      }
    }))

  it.effect("retries a transport failure of an action with a ClientToken", () =>
    Effect.gen(function* () {
      const r = yield* drive(policyFor(runInstancesWithToken), always(timeout))
      expect(r.attempts).toBe(4)
      expect(r.delays).toEqual([100, 200, 400])
    }))

  it.effect("retries a refused connection even for an unsafe action", () =>
    Effect.gen(function* () {
      const r = yield* drive(policyFor(runInstances), [refused])
      expect(r.attempts).toBe(2)
      expect(Exit.isSuccess(r.exit)).toBe(true)
    }))

  it.effect("never retries InternalError, even for a read-only action", () =>
    Effect.gen(function* () {
      for (const info of [describeInstances, runInstances, runInstancesWithToken]) {
        const r = yield* drive(policyFor(info), always(internal))
        expect(r.attempts).toBe(1)
        expect(r.exit).toStrictEqual(Exit.fail(internal))
      }
    }))

  it.effect("mixes delays by error kind: throttling waits longer than a network failure", () =>
    Effect.gen(function* () {
      const r = yield* drive(policyFor(describeInstances), [reset, throttled, reset])
      expect(r.attempts).toBe(4)
      expect(r.delays).toEqual([100, 2000, 400])
    }))

  it.prop("jitteredDelayMillis stays in [d/2, d] with d = min(cap, base·2^n)", [
    FastCheck.integer({ min: 0, max: 40 }),
    FastCheck.integer({ min: 1, max: 10_000 }),
    FastCheck.integer({ min: 1, max: 100_000 }),
    FastCheck.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })
  ], ([n, base, cap, r]) => {
    const d = Math.min(cap, base * 2 ** n)
    const delay = Retry.jitteredDelayMillis(n, base, cap, r)
    return delay >= Math.floor(d / 2) && delay <= d
  })

  it.effect("seeded Random gives reproducible delays within the documented ranges", () =>
    Effect.gen(function* () {
      const a = yield* drive(policyFor(runInstances), always(throttled), Random.make("seed-1"))
      const b = yield* drive(policyFor(runInstances), always(throttled), Random.make("seed-1"))
      expect(a.delays).toEqual(b.delays)
      const ranges = [[500, 1000], [1000, 2000], [2000, 4000]]
      a.delays.forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(ranges[i][0])
        expect(d).toBeLessThanOrEqual(ranges[i][1])
      })
    }))
})

describe("none and custom policies", () => {
  it.effect("none never retries", () =>
    Effect.gen(function* () {
      for (const e of [throttled, reset, internal]) {
        const r = yield* drive(policyFor(describeInstances, Retry.none), always(e))
        expect(r.attempts).toBe(1)
      }
    }))

  it.effect("custom: maxRetries, retryOn and a backoff schedule", () =>
    Effect.gen(function* () {
      const policy = Retry.make({
        maxRetries: 2,
        retryOn: (e) => Errors.isApiError(e) && e.code === "InternalError",
        backoff: Schedule.spaced("3 seconds")
      })
      const r = yield* drive(policyFor(runInstances, policy), always(internal))
      expect(r.attempts).toBe(3)
      expect(r.delays).toEqual([3000, 3000])
      const t = yield* drive(policyFor(runInstances, policy), always(throttled))
      expect(t.attempts).toBe(1) // retryOn replaces the default condition
    }))

  it.effect("custom: a RetryPolicy written by hand sees the context", () =>
    Effect.gen(function* () {
      const seen: Array<Retry.RetryContext> = []
      const policy: Retry.RetryPolicy = (ctx) => {
        seen.push(ctx)
        return Schedule.recurs(ctx.safe ? 5 : 0)
      }
      const r = yield* drive(policyFor(describeInstances, policy), always(internal))
      expect(r.attempts).toBe(6)
      expect(seen[0].info.action).toBe("DescribeInstances")
      expect(seen[0].safe).toBe(true)
    }))

  it.effect("maxRetries 0 and negative never retry", () =>
    Effect.gen(function* () {
      for (const maxRetries of [0, -3]) {
        const r = yield* drive(policyFor(describeInstances, Retry.make({ maxRetries })), always(throttled))
        expect(r.attempts).toBe(1)
      }
    }))
})

describe("CurrentRetryPolicy and withRetryPolicy", () => {
  it.effect("defaults to defaultPolicy and is overridden per call, in both forms", () =>
    Effect.gen(function* () {
      expect(yield* Retry.CurrentRetryPolicy).toBe(Retry.defaultPolicy)
      const custom = Retry.make({ maxRetries: 1 })
      expect(yield* Retry.withRetryPolicy(Retry.CurrentRetryPolicy, Retry.none)).toBe(Retry.none)
      expect(yield* Retry.CurrentRetryPolicy.pipe(Retry.withRetryPolicy(custom))).toBe(custom)
      expect(yield* Retry.CurrentRetryPolicy).toBe(Retry.defaultPolicy)
    }))
})

describe("Huawei backoff strategies", () => {
  it.effect("exponential is min(60000, 10·2^n) from n = 1", () =>
    Effect.gen(function* () {
      const d = yield* delaysOf(Retry.backoff.exponential, 14)
      expect(d).toEqual([20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 60000, 60000])
    }))

  it.effect("none waits 0", () =>
    Effect.gen(function* () {
      expect(yield* delaysOf(Retry.backoff.none, 3)).toEqual([0, 0, 0])
    }))

  it.effect("equal jitter: retries=1 gives 11..20, retries=3 gives 41..80, bounds reached exactly", () =>
    Effect.gen(function* () {
      const low = yield* delaysOf(Retry.backoff.equalJitter, 3).pipe(Effect.withRandom(Random.fixed([0])))
      const high = yield* delaysOf(Retry.backoff.equalJitter, 3).pipe(Effect.withRandom(Random.fixed([1e9])))
      expect(low).toEqual([11, 21, 41])
      expect(high).toEqual([20, 40, 80])
      const seen1 = new Set<number>()
      const seen3 = new Set<number>()
      for (let seed = 0; seed < 400; seed++) {
        const d = yield* delaysOf(Retry.backoff.equalJitter, 3).pipe(Effect.withRandom(Random.make(seed)))
        seen1.add(d[0])
        seen3.add(d[2])
      }
      expect([...seen1].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i))
      expect(Math.min(...seen3)).toBeGreaterThanOrEqual(41)
      expect(Math.max(...seen3)).toBeLessThanOrEqual(80)
    }))

  it.effect("random jitter is 1..10·2^n", () =>
    Effect.gen(function* () {
      expect(yield* delaysOf(Retry.backoff.randomJitter, 2).pipe(Effect.withRandom(Random.fixed([0])))).toEqual([1, 1])
      expect(yield* delaysOf(Retry.backoff.randomJitter, 2).pipe(Effect.withRandom(Random.fixed([1e9])))).toEqual([20, 40])
      const seen = new Set<number>()
      for (let seed = 0; seed < 300; seed++) {
        const [d] = yield* delaysOf(Retry.backoff.randomJitter, 1).pipe(Effect.withRandom(Random.make(seed)))
        seen.add(d)
      }
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 1 + i))
    }))

  it.effect("decorrelated jitter is 10..30 whatever the retry number", () =>
    Effect.gen(function* () {
      expect(yield* delaysOf(Retry.backoff.decorrelatedJitter, 20).pipe(Effect.withRandom(Random.fixed([0])))).toEqual(Array(20).fill(10))
      expect(yield* delaysOf(Retry.backoff.decorrelatedJitter, 20).pipe(Effect.withRandom(Random.fixed([1e9])))).toEqual(Array(20).fill(30))
      const seen = new Set<number>()
      for (let seed = 0; seed < 200; seed++) {
        for (const d of yield* delaysOf(Retry.backoff.decorrelatedJitter, 5).pipe(Effect.withRandom(Random.make(seed)))) seen.add(d)
      }
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 21 }, (_, i) => 10 + i))
    }))

  it.effect("Huawei invoker tests: 502 every time with max 3 gives 4 calls; 502, 502, 200 gives 3", () =>
    Effect.gen(function* () {
      const policy = Retry.make({
        maxRetries: 3,
        retryOn: (e) => e instanceof Errors.HttpStatusError && e.status === 502,
        backoff: Retry.backoff.exponential
      })
      const r = yield* drive(policyFor(runInstances, policy), always(http(502)))
      expect(r.attempts).toBe(4)
      expect(r.delays).toEqual([20, 40, 80])
      const s = yield* drive(policyFor(runInstances, policy), [http(502), http(502)])
      expect(s.attempts).toBe(3)
      expect(Exit.isSuccess(s.exit)).toBe(true)
      const n = yield* drive(policyFor(runInstances, policy), always(http(429)))
      expect(n.attempts).toBe(1)
    }))

  it.effect("equal jitter under TestClock through Effect.retry", () =>
    Effect.gen(function* () {
      const policy = Retry.make({ maxRetries: 3, backoff: Retry.backoff.equalJitter })
      const r = yield* drive(policyFor(describeInstances, policy), always(reset), Random.make(42))
      expect(r.attempts).toBe(4)
      const ranges = [[11, 20], [21, 40], [41, 80]]
      r.delays.forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(ranges[i][0])
        expect(d).toBeLessThanOrEqual(ranges[i][1])
      })
    }))
})
