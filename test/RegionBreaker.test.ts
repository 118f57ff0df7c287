import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Errors from "../src/Errors.js"
import * as RegionBreaker from "../src/RegionBreaker.js"

const S: RegionBreaker.MachineSettings = {
  maxFailNum: 5,
  maxFailPercent: 0.75,
  windowMillis: 300_000,
  maxRequests: 5,
  consecutiveFailures: 5
}
const fixed60 = () => 60_000

/** Report `results` (true = success) at `now` against the pure machine, each with a fresh ticket. */
const feed = (
  m: RegionBreaker.Machine,
  now: number,
  results: ReadonlyArray<boolean>,
  s: RegionBreaker.MachineSettings = S,
  cooldown: (n: number) => number = fixed60
) => {
  const transitions: Array<RegionBreaker.Transition> = []
  for (const ok of results) {
    const b = RegionBreaker.before(m, now, s)
    transitions.push(...b.transitions)
    const a = RegionBreaker.after(b.machine, now, b.ticket, ok, s, cooldown)
    transitions.push(...a.transitions)
    m = a.machine
  }
  return { machine: m, transitions }
}
const F = false
const T = true
const times = (n: number, v: boolean) => Array<boolean>(n).fill(v)

// -------------------------------------------------------------------------------------------------

describe("pure machine", () => {
  it("closed → open by failure rate (failures ≥ 5 and ≥ 75 %)", () => {
    const m0 = RegionBreaker.initial(0, S)
    const r = feed(m0, 1000, [F, F, F, T, F])
    expect(r.machine.state).toBe("closed")
    expect(r.machine.counts).toEqual({ failures: 4, total: 5, consecutiveSuccesses: 0, consecutiveFailures: 1 })
    const r2 = feed(r.machine, 1000, [F]) // 5 of 6 = 83 %
    expect(r2.machine.state).toBe("open")
    expect(r2.transitions).toEqual([{ from: "closed", to: "open", reason: "failure-rate", generation: 1 }])
    expect(r2.machine.expiry).toBe(61_000)
    expect(r2.machine.counts.total).toBe(0)
  })

  it("stays closed when the rate is below 75 % and failures are not consecutive", () => {
    const r = feed(RegionBreaker.initial(0, S), 0, [F, T, F, T, F, T, F, T, F, T, F, T])
    expect(r.machine.state).toBe("closed")
    expect(r.machine.counts.failures).toBe(6)
  })

  it("closed → open by 5 consecutive failures whatever the rate", () => {
    const r = feed(RegionBreaker.initial(0, S), 0, [...times(20, T), F, F, F, F])
    expect(r.machine.state).toBe("closed")
    const r2 = feed(r.machine, 0, [F])
    expect(r2.machine.state).toBe("open")
    expect(r2.transitions[0].reason).toBe("consecutive-failures")
  })

  it("only open sends to the backup, and ignores results", () => {
    const open = feed(RegionBreaker.initial(0, S), 0, times(5, F)).machine
    const b = RegionBreaker.before(open, 10, S)
    expect(b.ticket).toEqual({ generation: open.generation, useBackup: true })
    const a = RegionBreaker.after(b.machine, 10, b.ticket, false, S, fixed60)
    expect(a.ignored).toBe(true)
    expect(a.machine).toEqual(open)
    const closed = RegionBreaker.before(RegionBreaker.initial(0, S), 0, S)
    expect(closed.ticket.useBackup).toBe(false)
  })

  it("open → half-open exactly when the cool-down ends; half-open goes to the primary", () => {
    const open = feed(RegionBreaker.initial(0, S), 0, times(5, F)).machine
    expect(RegionBreaker.advance(open, 59_999, S).machine.state).toBe("open")
    const h = RegionBreaker.before(open, 60_000, S)
    expect(h.machine.state).toBe("half-open")
    expect(h.transitions).toEqual([{ from: "open", to: "half-open", reason: "cooldown-elapsed", generation: open.generation + 1 }])
    expect(h.ticket.useBackup).toBe(false)
  })

  it("half-open → closed after maxRequests successes", () => {
    const open = feed(RegionBreaker.initial(0, S), 0, times(5, F)).machine
    const four = feed(open, 60_000, times(4, T))
    expect(four.machine.state).toBe("half-open")
    const five = feed(four.machine, 60_000, [T])
    expect(five.machine.state).toBe("closed")
    expect(five.transitions[0]).toMatchObject({ from: "half-open", to: "closed", reason: "recovered" })
    expect(five.machine.openings).toBe(0)
    expect(five.machine.expiry).toBe(60_000 + 300_000)
  })

  it("maxRequests 0 closes on the first half-open success", () => {
    const s0 = { ...S, maxRequests: 0 }
    const open = feed(RegionBreaker.initial(0, s0), 0, times(5, F), s0).machine
    expect(feed(open, 60_000, [T], s0).machine.state).toBe("closed")
  })

  it("half-open → open on one failure, with the next cool-down of the schedule", () => {
    const expo = (n: number) => 10_000 * 2 ** (n - 1)
    let m = feed(RegionBreaker.initial(0, S), 0, times(5, F), S, expo).machine
    expect(m.expiry).toBe(10_000)
    m = feed(m, 10_000, [T, T, F], S, expo).machine
    expect(m.state).toBe("open")
    expect(m.openings).toBe(2)
    expect(m.expiry).toBe(10_000 + 20_000)
    m = feed(m, 30_000, [F], S, expo).machine
    expect(m.expiry).toBe(30_000 + 40_000)
    // closing resets the sequence
    m = feed(m, 70_000, times(5, T), S, expo).machine
    expect(m.state).toBe("closed")
    m = feed(m, 70_000, times(5, F), S, expo).machine
    expect(m.expiry).toBe(70_000 + 10_000)
  })

  it("a closed window resets the counters every windowInterval (new generation)", () => {
    const m0 = RegionBreaker.initial(0, S)
    const four = feed(m0, 1_000, times(4, F)).machine
    expect(RegionBreaker.advance(four, 299_999, S).machine).toBe(four)
    const reset = RegionBreaker.advance(four, 300_000, S)
    expect(reset.transitions).toEqual([])
    expect(reset.machine.generation).toBe(four.generation + 1)
    expect(reset.machine.counts.total).toBe(0)
    expect(reset.machine.expiry).toBe(600_000)
    expect(feed(reset.machine, 300_000, [F]).machine.state).toBe("closed")
  })

  it("ignores results of an older generation (window reset, state change)", () => {
    const m0 = RegionBreaker.initial(0, S)
    const b = RegionBreaker.before(m0, 0, S)
    const late = RegionBreaker.after(b.machine, 300_000, b.ticket, false, S, fixed60)
    expect(late.ignored).toBe(true)
    expect(late.machine.counts.total).toBe(0)
    // tickets handed out in closed and reported after the breaker opened are dropped
    const tickets = Array.from({ length: 10 }, () => RegionBreaker.before(m0, 0, S).ticket)
    let m = m0
    for (const t of tickets) m = RegionBreaker.after(m, 0, t, false, S, fixed60).machine
    expect(m.state).toBe("open")
    expect(m.generation).toBe(1)
  })

  it("generations never wrap (Python wraps at 10, so an old ticket could count again)", () => {
    const m0 = RegionBreaker.initial(0, S)
    const stale = RegionBreaker.before(m0, 0, S).ticket
    let m = m0
    for (let i = 1; i <= 10; i++) m = RegionBreaker.advance(m, i * 300_000, S).machine
    expect(m.generation).toBe(10)
    expect(RegionBreaker.after(m, 3_000_000, stale, false, S, fixed60).ignored).toBe(true)
  })
})

describe("classify", () => {
  const site = { service: "cvm", version: "2017-03-12", action: "DescribeInstances" }
  const api = (code: string) => new Errors.ApiError({ ...site, code, serverMessage: "m", requestId: "r" })
  const http = (status: number, requestId?: string) =>
    new Errors.HttpStatusError({ ...site, status, traceId: "t", requestId, bodyExcerpt: "", message: "m" })
  it("success = an answer with a request id whose code is not InternalError", () => {
    expect(RegionBreaker.classify(Exit.succeed({ RequestId: "r" }))).toBe(true)
    expect(RegionBreaker.classify(Exit.fail(api("InvalidParameter")))).toBe(true)
    expect(RegionBreaker.classify(api("RequestLimitExceeded"))).toBe(true)
    expect(RegionBreaker.classify(Errors.UnknownApiError.make({ ...site, code: "X", serverMessage: "m", requestId: "r" }))).toBe(true)
    expect(RegionBreaker.classify(http(502, "req"))).toBe(true)
    expect(RegionBreaker.classify(new Errors.ResponseDecodeError({ ...site, requestId: "r", issue: "i", message: "m" }))).toBe(true)
  })
  it("failure = transport, timeout, 5xx without request id, InternalError", () => {
    expect(RegionBreaker.classify(api("InternalError"))).toBe(false)
    expect(RegionBreaker.classify(Errors.UnknownApiError.make({ ...site, code: "InternalError", serverMessage: "m", requestId: "r" }))).toBe(false)
    expect(RegionBreaker.classify(Exit.fail(new Errors.NetworkError({ ...site, reason: "Reset", traceId: "t", message: "m" })))).toBe(false)
    expect(RegionBreaker.classify(new Errors.TimeoutError({ ...site, timeoutMillis: 1, traceId: "t", message: "m" }))).toBe(false)
    expect(RegionBreaker.classify(http(503))).toBe(false)
    expect(RegionBreaker.classify(new Errors.ResponseParseError({ ...site, status: 502, contentType: "text/html", traceId: "t", bodyExcerpt: "", message: "m" }))).toBe(false)
  })
  it("errors raised before sending, 4xx from a proxy, interruptions are not recorded", () => {
    expect(RegionBreaker.classify(Errors.RequestValidationError.make({ field: "f", problem: "p", fix: "x" }))).toBeUndefined()
    expect(RegionBreaker.classify(new Errors.CredentialsError({ provider: "env", message: "m" }))).toBeUndefined()
    expect(RegionBreaker.classify(new Errors.BreakerOpenError({ ...site, message: "m" }))).toBeUndefined()
    expect(RegionBreaker.classify(http(404))).toBeUndefined()
    expect(RegionBreaker.classify(Exit.interrupt(undefined as never))).toBeUndefined()
    expect(RegionBreaker.classify(Exit.die("boom"))).toBeUndefined()
    expect(RegionBreaker.isSuccess(Exit.succeed(1))).toBe(true)
    expect(RegionBreaker.isSuccess(api("InternalError"))).toBe(false)
  })
})

describe("settings validation", () => {
  it("rejects a backup endpoint with a scheme, path, spaces, or that is not a host name", () => {
    for (const bad of ["https://ap-guangzhou.tencentcloudapi.com", "tencentcloudapi.com/path", "ap guangzhou.tencentcloudapi.com", "", "10.0.0.1", "-bad.example.com", "a..b.com", "x.com:99999", "user@x.com"]) {
      const r = RegionBreaker.validateBackupEndpoint(bad)
      expect(Either.isLeft(r), bad).toBe(true)
      if (Either.isLeft(r)) {
        expect(r.left._tag).toBe("RequestValidationError")
        expect(r.left.field).toBe("backupEndpoint")
        expect(r.left.message).toMatch(/^invalid backupEndpoint: /)
      }
    }
    for (const [good, out] of [
      ["tencentcloudapi.com", "tencentcloudapi.com"],
      ["ap-shanghai.tencentcloudapi.com", "ap-shanghai.tencentcloudapi.com"],
      ["API.Example.Internal", "api.example.internal"],
      ["localhost:8443", "localhost:8443"]
    ]) {
      expect(RegionBreaker.validateBackupEndpoint(good)).toEqual(Either.right(out))
    }
  })

  it.effect("make fails with a RequestValidationError naming the field", () =>
    Effect.gen(function* () {
      const e1 = yield* Effect.flip(RegionBreaker.make({ backupEndpoint: "https://x.com" }))
      expect(e1.field).toBe("backupEndpoint")
      const e2 = yield* Effect.flip(RegionBreaker.make({ maxFailPercent: 1.5 }))
      expect(e2.field).toBe("maxFailPercent")
      const e3 = yield* Effect.flip(RegionBreaker.make({ windowInterval: "0 seconds" }))
      expect(e3.field).toBe("windowInterval")
      const e4 = yield* Effect.flip(RegionBreaker.make({ maxRequests: -1 }))
      expect(e4.field).toBe("maxRequests")
    }))
})

// -------------------------------------------------------------------------------------------------

const KEY = "cvm|ap-shanghai|cvm.tencentcloudapi.com"

const report = (b: RegionBreaker.RegionBreakerService, results: ReadonlyArray<boolean>, key = KEY) =>
  Effect.forEach(results, (ok) => Effect.flatMap(b.before(key), (t) => b.after(key, t, ok)), { discard: true })

const drain = (q: Queue.Dequeue<RegionBreaker.BreakerStateChange>) =>
  Effect.map(Queue.takeAll(q), (c) => Chunk.toReadonlyArray(c).map((x) => `${x.from}→${x.to}:${x.reason}@${x.at}`))

describe("service under TestClock", () => {
  it.scoped("opens, fails over to the backup, half-opens after the fixed cool-down, closes after 5 successes", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make()
      const q = yield* b.subscribe
      expect(b.enabled).toBe(true)
      expect(b.backupHost("cvm")).toBe("cvm.ap-guangzhou.tencentcloudapi.com")
      expect(yield* b.state(KEY)).toBe("closed")
      yield* TestClock.adjust("1 second")
      yield* report(b, times(5, F))
      expect(yield* b.state(KEY)).toBe("open")
      expect((yield* b.before(KEY)).useBackup).toBe(true)
      // another key is independent
      expect((yield* b.before("cvm|ap-beijing|x")).useBackup).toBe(false)
      yield* TestClock.adjust("59999 millis")
      expect(yield* b.state(KEY)).toBe("open")
      yield* TestClock.adjust("1 millis")
      expect(yield* b.state(KEY)).toBe("half-open")
      expect((yield* b.before(KEY)).useBackup).toBe(false)
      yield* report(b, times(4, T))
      expect(yield* b.state(KEY)).toBe("half-open")
      yield* report(b, [T])
      expect(yield* b.state(KEY)).toBe("closed")
      expect(yield* drain(q)).toEqual([
        "closed→open:failure-rate@1000",
        "open→half-open:cooldown-elapsed@61000",
        "half-open→closed:recovered@61000"
      ])
    }))

  it.scoped("half-open → open on a failure waits the fixed cool-down again", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make()
      const q = yield* b.subscribe
      yield* report(b, times(5, F))
      yield* TestClock.adjust("60 seconds")
      yield* report(b, [T, F])
      expect(yield* b.state(KEY)).toBe("open")
      yield* TestClock.adjust("59 seconds")
      expect(yield* b.state(KEY)).toBe("open")
      yield* TestClock.adjust("1 second")
      expect(yield* b.state(KEY)).toBe("half-open")
      expect(yield* drain(q)).toEqual([
        "closed→open:failure-rate@0",
        "open→half-open:cooldown-elapsed@60000",
        "half-open→open:half-open-failure@60000",
        "open→half-open:cooldown-elapsed@120000"
      ])
    }))

  it.scoped("an exponential cool-down: the n-th consecutive opening waits the n-th delay; closing resets it", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make({ cooldown: Schedule.exponential("10 seconds") })
      const q = yield* b.subscribe
      yield* report(b, times(5, F)) // open at 0, 10 s
      yield* TestClock.adjust("10 seconds")
      yield* report(b, [F]) // half-open at 10 s, open again, 20 s
      yield* TestClock.adjust("19999 millis")
      expect(yield* b.state(KEY)).toBe("open")
      yield* TestClock.adjust("1 millis")
      yield* report(b, [F]) // at 30 s, 40 s
      yield* TestClock.adjust("40 seconds")
      yield* report(b, times(5, T)) // closed at 70 s
      yield* report(b, times(5, F)) // open at 70 s, back to 10 s
      yield* TestClock.adjust("10 seconds")
      expect(yield* b.state(KEY)).toBe("half-open")
      expect(yield* drain(q)).toEqual([
        "closed→open:failure-rate@0",
        "open→half-open:cooldown-elapsed@10000",
        "half-open→open:half-open-failure@10000",
        "open→half-open:cooldown-elapsed@30000",
        "half-open→open:half-open-failure@30000",
        "open→half-open:cooldown-elapsed@70000",
        "half-open→closed:recovered@70000",
        "closed→open:failure-rate@70000",
        "open→half-open:cooldown-elapsed@80000"
      ])
    }))

  it.scoped("a schedule that ends keeps its last delay", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make({ cooldown: Schedule.spaced("5 seconds").pipe(Schedule.intersect(Schedule.recurs(1))) })
      yield* report(b, times(5, F))
      yield* TestClock.adjust("5 seconds")
      yield* report(b, [F])
      yield* TestClock.adjust("4 seconds")
      expect(yield* b.state(KEY)).toBe("open")
      yield* TestClock.adjust("1 second")
      expect(yield* b.state(KEY)).toBe("half-open")
    }))

  it.effect("the window resets the counters every 300 s", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make()
      yield* report(b, times(4, F))
      expect((yield* b.snapshot(KEY))?.counts.failures).toBe(4)
      yield* TestClock.adjust("300 seconds")
      expect((yield* b.snapshot(KEY))?.counts.failures).toBe(0)
      yield* report(b, times(4, F))
      expect(yield* b.state(KEY)).toBe("closed")
      yield* report(b, [F])
      expect(yield* b.state(KEY)).toBe("open")
    }))

  it.effect("results of an older generation are ignored", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make()
      const old = yield* Effect.replicateEffect(b.before(KEY), 5)
      yield* TestClock.adjust("300 seconds") // new window: new generation
      yield* Effect.forEach(old, (t) => b.after(KEY, t, false), { discard: true })
      expect(yield* b.state(KEY)).toBe("closed")
      expect((yield* b.snapshot(KEY))?.counts.total).toBe(0)
    }))

  it.effect("logs a warning when opening and info for the other changes", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        lines.push(`${logLevel.label} ${Array.isArray(message) ? message.join(" ") : String(message)}`)
      })
      yield* Effect.gen(function* () {
        const b = yield* RegionBreaker.make()
        yield* report(b, times(5, F))
        yield* TestClock.adjust("60 seconds")
        yield* report(b, times(5, T))
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(lines).toHaveLength(3)
      expect(lines[0]).toMatch(/^WARN region breaker cvm\|ap-shanghai\|cvm\.tencentcloudapi\.com: closed → open \(failure-rate\); requests go to the backup endpoint \*\.ap-guangzhou\.tencentcloudapi\.com until 1970-01-01T00:01:00\.000Z$/)
      expect(lines[1]).toMatch(/^INFO .*open → half-open/)
      expect(lines[2]).toMatch(/^INFO .*half-open → closed/)
    }))

  it.effect("changes is a Stream of the same events", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make()
      const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(b.changes, 2)))
      yield* TestClock.adjust("1 millis") // let the stream subscribe
      yield* report(b, times(5, F))
      yield* TestClock.adjust("60 seconds")
      yield* b.state(KEY)
      const got = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(got.map((c) => `${c.key} ${c.from}→${c.to}`)).toEqual([`${KEY} closed→open`, `${KEY} open→half-open`])
    }))

  it.effect("disabled never fails over", () =>
    Effect.gen(function* () {
      const b = RegionBreaker.disabled
      expect(b.enabled).toBe(false)
      for (let i = 0; i < 20; i++) {
        const t = yield* b.before(KEY)
        expect(t.useBackup).toBe(false)
        yield* b.after(KEY, t, false)
      }
      expect(yield* b.state(KEY)).toBe("closed")
    }))

  it.effect("layers provide the tag", () =>
    Effect.gen(function* () {
      const on = yield* Effect.provide(RegionBreaker.RegionBreaker, RegionBreaker.layer({ backupEndpoint: "ap-singapore.tencentcloudapi.com" }))
      expect(on.enabled).toBe(true)
      expect(on.backupHost("cvm")).toBe("cvm.ap-singapore.tencentcloudapi.com")
      const off = yield* Effect.provide(RegionBreaker.RegionBreaker, RegionBreaker.layerDisabled)
      expect(off.enabled).toBe(false)
    }))
})

describe("concurrency", () => {
  it.effect("1,000 concurrent before/after: no lost updates", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make({ maxFailNum: 100_000, consecutiveFailures: 100_000 })
      yield* Effect.forEach(
        Array.from({ length: 1000 }, (_, i) => i),
        (i) => Effect.flatMap(b.before(KEY), (t) => Effect.zipRight(Effect.yieldNow(), b.after(KEY, t, i % 10 !== 0))),
        { concurrency: "unbounded", discard: true }
      )
      const m = yield* b.snapshot(KEY)
      expect(m?.state).toBe("closed")
      expect(m?.counts.total).toBe(1000)
      expect(m?.counts.failures).toBe(100)
      expect(m?.generation).toBe(0)
    }))

  it.scoped("1,000 concurrent failing calls open the breaker exactly once; later results are ignored", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make()
      const q = yield* b.subscribe
      const tickets = yield* Effect.forEach(
        Array.from({ length: 1000 }),
        () => Effect.flatMap(b.before(KEY), (t) => Effect.as(Effect.zipRight(Effect.yieldNow(), b.after(KEY, t, false)), t)),
        { concurrency: "unbounded" }
      )
      expect(tickets.every((t) => t.generation === 0 && !t.useBackup)).toBe(true)
      expect(yield* drain(q)).toEqual(["closed→open:failure-rate@0"])
      const m = yield* b.snapshot(KEY)
      expect(m?.state).toBe("open")
      expect(m?.generation).toBe(1)
      expect(m?.openings).toBe(1)
    }))

  it.effect("1,000 concurrent calls across the open → half-open → closed cycle stay consistent", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make({ maxRequests: 200 })
      yield* report(b, times(5, F))
      yield* TestClock.adjust("60 seconds")
      let backups = 0
      yield* Effect.forEach(
        Array.from({ length: 1000 }),
        () =>
          Effect.flatMap(b.before(KEY), (t) => {
            if (t.useBackup) backups++
            return Effect.zipRight(Effect.yieldNow(), b.after(KEY, t, true))
          }),
        { concurrency: "unbounded", discard: true }
      )
      // half-open admits 200 probes at a time (maxRequests): the other 800 go to the backup
      expect(backups).toBe(800)
      const m = yield* b.snapshot(KEY)
      // the 200 probes close it; the backup results are never counted
      expect(m?.state).toBe("closed")
      expect(m?.counts.total).toBe(0)
    }))
})

// -------------------------------------------------------------------------------------------------
// issue 14 item 9: half-open admits at most maxRequests probes at a time

describe("half-open probes gently", () => {
  const openAt0 = () => feed(RegionBreaker.initial(0, S), 0, times(5, F)).machine

  it("hands out maxRequests probe tickets, then the backup until a probe reports", () => {
    let m = openAt0()
    const tickets: Array<RegionBreaker.Ticket> = []
    for (let i = 0; i < 8; i++) {
      const b = RegionBreaker.before(m, 60_000, S)
      m = b.machine
      tickets.push(b.ticket)
    }
    expect(tickets.map((t) => (t.useBackup ? "backup" : "probe"))).toEqual(["probe", "probe", "probe", "probe", "probe", "backup", "backup", "backup"])
    expect(m.probes).toBe(5)
    // a backup result is not a probe result: it neither frees a place nor counts
    const backup = RegionBreaker.after(m, 60_001, tickets[6], true, S, fixed60)
    expect(backup.ignored).toBe(true)
    expect(backup.machine.probes).toBe(5)
    // one probe succeeds: its place is free again, and it counts toward closing
    m = RegionBreaker.after(m, 60_001, tickets[0], true, S, fixed60).machine
    expect(m.probes).toBe(4)
    expect(m.counts.consecutiveSuccesses).toBe(1)
    expect(RegionBreaker.before(m, 60_002, S).ticket.useBackup).toBe(false)
  })

  it("an unrecorded outcome (undefined) frees the place without counting", () => {
    let m = openAt0()
    const b = RegionBreaker.before(m, 60_000, S)
    m = RegionBreaker.after(b.machine, 60_001, b.ticket, undefined, S, fixed60).machine
    expect(m.probes).toBe(0)
    expect(m.counts.total).toBe(0)
    expect(m.state).toBe("half-open")
  })

  it("probes never reported are given up after windowInterval", () => {
    let m = openAt0()
    for (let i = 0; i < 5; i++) m = RegionBreaker.before(m, 60_000, S).machine
    expect(RegionBreaker.before(m, 60_000 + S.windowMillis - 1, S).ticket.useBackup).toBe(true)
    const late = RegionBreaker.before(m, 60_000 + S.windowMillis, S)
    expect(late.ticket).toMatchObject({ useBackup: false, probe: true })
    expect(late.machine.probes).toBe(1)
  })

  it("maxRequests 0 still sends one probe at a time", () => {
    const s0 = { ...S, maxRequests: 0 }
    let m = feed(RegionBreaker.initial(0, s0), 0, times(5, F), s0).machine
    const first = RegionBreaker.before(m, 60_000, s0)
    m = first.machine
    expect(first.ticket.useBackup).toBe(false)
    expect(RegionBreaker.before(m, 60_000, s0).ticket.useBackup).toBe(true)
  })

  it.scoped("1,000 concurrent calls in half-open with the primary still down: at most maxRequests lost, the rest served by the backup", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make({ maxRequests: 3 })
      const q = yield* b.subscribe
      yield* report(b, times(5, F))
      yield* TestClock.adjust("60 seconds")
      let primary = 0
      let backup = 0
      // a call: the primary is down (fails after 1 s), the backup answers at once
      const call = Effect.flatMap(b.before(KEY), (ticket) =>
        ticket.useBackup
          ? Effect.sync(() => void backup++).pipe(Effect.zipRight(b.after(KEY, ticket, true)), Effect.as(true))
          : Effect.sync(() => void primary++).pipe(
              Effect.zipRight(Effect.sleep("1 second")),
              Effect.zipRight(b.after(KEY, ticket, false)),
              Effect.as(false)
            )
      )
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 1000 }, () => call), { concurrency: "unbounded" }))
      yield* TestClock.adjust("1 second")
      const results = yield* Fiber.join(fiber)
      expect(primary).toBe(3)
      expect(backup).toBe(997)
      expect(results.filter((ok) => !ok).length).toBe(3)
      expect(yield* b.state(KEY)).toBe("open")
      expect(yield* drain(q)).toEqual([
        "closed→open:failure-rate@0",
        "open→half-open:cooldown-elapsed@60000",
        "half-open→open:half-open-failure@61000"
      ])
    }))

  it.scoped("1,000 concurrent calls in half-open with the primary back: the probes close the breaker, nothing lost", () =>
    Effect.gen(function* () {
      const b = yield* RegionBreaker.make({ maxRequests: 3 })
      yield* report(b, times(5, F))
      yield* TestClock.adjust("60 seconds")
      let primary = 0
      const call = Effect.flatMap(b.before(KEY), (ticket) =>
        ticket.useBackup
          ? b.after(KEY, ticket, true)
          : Effect.sync(() => void primary++).pipe(Effect.zipRight(Effect.sleep("1 second")), Effect.zipRight(b.after(KEY, ticket, true)))
      )
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 1000 }, () => call), { concurrency: "unbounded", discard: true }))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(primary).toBe(3)
      expect(yield* b.state(KEY)).toBe("closed")
      expect((yield* b.before(KEY)).useBackup).toBe(false)
    }))
})
