/**
 * The engine's fused attempt (core/fused.ts): taken when the transport has a fast lane, the
 * credential is at hand, the breaker step changes no state and the signature needs no nonce; it
 * keeps every behaviour of the general attempt (signing per attempt, retries, the breaker, the
 * size cap, interruption, metrics), and it steps aside when a condition does not hold.
 */
import { describe, expect, it } from "@effect/vitest"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as MetricKey from "effect/MetricKey"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as fc from "fast-check"
import * as Engine from "../../src/core/Engine.js"
import { FastLane, type FastRequest, type FastResponse, FastTooLarge } from "../../src/core/fastLane.js"
import * as RegionBreaker from "../../src/RegionBreaker.js"
import * as Retry from "../../src/Retry.js"
import { kvProtocol, kvSignature } from "./testProtocol.js"

const SECRET = "kv-secret-fused"
const credential = { secretId: "kid", secretKey: Redacted.make(SECRET) }
const atHand = { get: Effect.succeed(credential), peek: () => credential }
const protocol = { ...kvProtocol(), usesNonce: () => false }

type Reply = { status?: number; body: string } | { fail: unknown } | "never" | "too-large"

/** A transport whose fast lane answers from `reply`; its general lane counts and refuses. */
const transport = (reply: (r: FastRequest, n: number) => Reply) => {
  const fast: Array<FastRequest> = []
  let general = 0
  const client = Object.assign(
    HttpClient.make(() => Effect.sync(() => general++).pipe(Effect.zipRight(Effect.die("general lane")))),
    {
      [FastLane]: (r: FastRequest): Promise<FastResponse> => {
        fast.push(r)
        const a = reply(r, fast.length)
        if (a === "never") return new Promise(() => {})
        if (a === "too-large") return Promise.reject(new FastTooLarge())
        if ("fail" in a) return Promise.reject(a.fail)
        return Promise.resolve({ status: a.status ?? 200, headers: { "content-type": "application/json", "x-kv-request-id": "rq" }, body: a.body })
      }
    }
  )
  return { client, fast, general: () => general }
}
const ok = (v: string) => ({ body: JSON.stringify({ value: v }) })
const err = (code: string, status: number) => ({ status, body: JSON.stringify({ error: { code, message: code } }) })
const reset = { fail: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }

const probeBreaker = RegionBreaker.make({ consecutiveFailures: 1, maxFailNum: 100, maxRequests: 1, timeout: "10 seconds" })

/** One failure opens the breaker; after its cool-down a hanging probe is started and interrupted: the probes out before and after. */
const interruptProbe = (breaker: RegionBreaker.RegionBreakerService, failing: Effect.Effect<unknown, unknown>, hanging: Effect.Effect<unknown, unknown>) =>
  Effect.gen(function* () {
    yield* Effect.exit(failing.pipe(Retry.withRetryPolicy(Retry.none)))
    yield* TestClock.adjust("11 seconds")
    expect(yield* breaker.state("kv|r1")).toBe("half-open")
    const f = yield* Effect.fork(hanging)
    yield* TestClock.adjust("1 millis")
    const before = (yield* breaker.snapshot("kv|r1"))?.probes ?? 0
    yield* Fiber.interrupt(f)
    return { before, after: (yield* breaker.snapshot("kv|r1"))?.probes ?? 0 }
  })

describe("the fused attempt", () => {
  it.effect("is taken when its conditions hold: signed at the clock's time, answered, nothing through the general lane", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const t = transport(() => ok("v"))
      const engine = Engine.make({ credentials: atHand, http: t.client })
      expect(yield* engine.call(protocol, { key: "k" })).toBe("v")
      expect(t.general()).toBe(0)
      expect(t.fast[0].headers["X-Kv-Signature"]).toBe(kvSignature(SECRET, "GET", "r1.kv.example.com", "/k", 1_700_000_000))
    }))

  it.effect("steps aside for a signature with a nonce or a credential not at hand (the general attempt asks `get`)", () =>
    Effect.gen(function* () {
      let gets = 0
      const counted = { get: Effect.sync(() => (gets++, credential)), peek: () => credential }
      const notAtHand = { get: Effect.sync(() => (gets++, credential)), peek: () => undefined }
      for (const [p, credentials, general] of [[protocol, counted, 0], [kvProtocol(), counted, 1], [protocol, notAtHand, 1]] as const) {
        gets = 0
        const t = transport(() => ok("v"))
        const engine = Engine.make({ credentials, http: t.client })
        expect(yield* engine.call(p, { key: "k" })).toBe("v")
        expect(gets).toBe(general)
      }
    }))

  it.effect("a throttled attempt is retried by the policy; every attempt fused and signed again", () =>
    Effect.gen(function* () {
      const t = transport((_, n) => (n < 3 ? err("SlowDown", 503) : ok("done")))
      const engine = Engine.make({ credentials: atHand, http: t.client })
      const f = yield* Effect.fork(engine.call(protocol, { key: "k", write: "w" }))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(f)).toBe("done")
      expect(t.fast.length).toBe(3)
      expect(t.general()).toBe(0)
      expect(Number(t.fast[2].headers["X-Kv-Timestamp"])).toBeGreaterThan(Number(t.fast[0].headers["X-Kv-Timestamp"]))
    }))

  it.effect("an oversized answer is ResponseTooLargeError, not retried", () =>
    Effect.gen(function* () {
      const t = transport(() => "too-large")
      const engine = Engine.make({ credentials: atHand, http: t.client, maxResponseBytes: 10 })
      const e = yield* Effect.flip(engine.call(protocol, { key: "k" }))
      expect(e._tag).toBe("ResponseTooLargeError")
      expect(t.fast.length).toBe(1)
    }))

  it.effect("the breaker opens on fused failures (the opening taken by the effectful step) and sends calls to the backup", () =>
    Effect.gen(function* () {
      const breaker = yield* RegionBreaker.make({ consecutiveFailures: 2, maxFailNum: 100 })
      const t = transport((r) => (r.url.startsWith("https://backup.") ? ok("from-backup") : reset))
      const engine = Engine.make({ credentials: atHand, http: t.client, breaker })
      for (let i = 0; i < 2; i++) yield* Effect.exit(engine.call(protocol, { key: "k" }).pipe(Retry.withRetryPolicy(Retry.none)))
      expect(yield* breaker.state("kv|r1")).toBe("open")
      expect(yield* engine.call(protocol, { key: "k" })).toBe("from-backup")
      expect(t.general()).toBe(0)
      expect(t.fast[2].headers["X-Kv-Signature"]).toBe(kvSignature(SECRET, "GET", "backup.kv.example.com", "/k", Number(t.fast[2].headers["X-Kv-Timestamp"])))
    }))

  it.effect("interruption aborts the request and hands a half-open probe's place back", () =>
    Effect.gen(function* () {
      const breaker = yield* probeBreaker
      let mode: "fail" | "hang" = "fail"
      const t = transport(() => (mode === "fail" ? reset : "never"))
      const engine = Engine.make({ credentials: atHand, http: t.client, breaker })
      const probes = yield* interruptProbe(breaker, engine.call(protocol, { key: "k" }), Effect.suspend(() => ((mode = "hang"), engine.call(protocol, { key: "k" }))))
      expect(t.fast[t.fast.length - 1].signal.aborted).toBe(true)
      expect(probes).toEqual({ before: 1, after: 0 })
    }))

  it.effect("the general attempt (no credential at hand) also hands a half-open probe's place back when interrupted", () =>
    Effect.gen(function* () {
      const breaker = yield* probeBreaker
      let mode: "fail" | "hang" = "fail"
      let sent = 0
      const http = HttpClient.make((request) =>
        Effect.suspend(() => {
          sent++
          return mode === "fail"
            ? Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }))
            : Effect.never
        })
      )
      const notAtHand = { get: Effect.succeed(credential), peek: () => undefined }
      const engine = Engine.make({ credentials: notAtHand, http, breaker })
      const probes = yield* interruptProbe(breaker, engine.call(protocol, { key: "k" }), Effect.suspend(() => ((mode = "hang"), engine.call(protocol, { key: "k" }))))
      expect(sent).toBe(2)
      expect(probes).toEqual({ before: 1, after: 0 })
    }))

  it.effect("an attempt whose send ends interrupted (the call's fiber is not) hands its ticket back once: another probe keeps its place", () =>
    Effect.gen(function* () {
      const breaker = yield* RegionBreaker.make({ consecutiveFailures: 1, maxFailNum: 100, maxRequests: 2, timeout: "10 seconds" })
      let mode: "fail" | "hang" | "interrupt" = "fail"
      const http = HttpClient.make((request) =>
        Effect.suspend(() =>
          mode === "fail"
            ? Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }))
            : mode === "hang" ? Effect.never : Effect.interrupt
        )
      )
      const engine = Engine.make({ credentials: { get: Effect.succeed(credential), peek: () => undefined }, http, breaker })
      yield* Effect.exit(engine.call(protocol, { key: "k" }).pipe(Retry.withRetryPolicy(Retry.none)))
      yield* TestClock.adjust("11 seconds")
      mode = "hang"
      const a = yield* Effect.fork(engine.call(protocol, { key: "k" }))
      yield* TestClock.adjust("1 millis")
      mode = "interrupt"
      yield* Effect.exit(engine.call(protocol, { key: "k" }).pipe(Retry.withRetryPolicy(Retry.none)))
      expect((yield* breaker.snapshot("kv|r1"))?.probes ?? 0).toBe(1)
      yield* Fiber.interrupt(a)
      expect((yield* breaker.snapshot("kv|r1"))?.probes ?? 0).toBe(0)
    }))

  it.effect("a streamed body (sent through the general lane) also hands a half-open probe's place back when interrupted", () =>
    Effect.gen(function* () {
      const breaker = yield* probeBreaker
      let general = 0
      const t = transport(() => reset)
      const client = Object.assign(HttpClient.make(() => Effect.sync(() => general++).pipe(Effect.zipRight(Effect.never))), { [FastLane]: t.client[FastLane] })
      const engine = Engine.make({ credentials: atHand, http: client, breaker })
      const streamed = {
        ...protocol,
        sign: (...args: Parameters<typeof protocol.sign>) => Either.map(protocol.sign(...args), (out) => ({ ...out, body: { _tag: "Stream" as const, length: 3, open: () => Stream.make(new Uint8Array([1, 2, 3])) } }))
      }
      const probes = yield* interruptProbe(breaker, engine.call(protocol, { key: "k" }), engine.call(streamed, { key: "k", write: "w" }))
      expect(general).toBe(1)
      expect(probes).toEqual({ before: 1, after: 0 })
    }))

  it.effect("a success is counted in the call metrics", () =>
    Effect.gen(function* () {
      const t = transport(() => ok("v"))
      const engine = Engine.make({ credentials: atHand, http: t.client })
      const counter = Metric.fromMetricKey(
        MetricKey.taggedWithLabels(MetricKey.counter("tencentcloud.calls", { description: "Tencent Cloud calls made, by service, action, region and outcome (ok, error)", incremental: true }), [
          MetricLabel.make("service", "kv"),
          MetricLabel.make("action", "Get"),
          MetricLabel.make("region", "r1"),
          MetricLabel.make("outcome", "ok")
        ])
      )
      const before = (yield* Metric.value(counter)).count
      yield* engine.call(protocol, { key: "k" })
      expect((yield* Metric.value(counter)).count).toBe(before + 1)
    }))
})

describe("the breaker's plain-code steps", () => {
  it.effect("tryBefore/tryAfter (falling back to before/after when they refuse) move the machine exactly as before/after do", () =>
    Effect.gen(function* () {
      const ops = fc.sample(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 40_000 }), outcome: fc.constantFrom(true, true, true, false, undefined) }), { minLength: 1, maxLength: 80 }),
        { numRuns: 100, seed: 7 }
      )
      const settings: Partial<RegionBreaker.BreakerSettings> = { consecutiveFailures: 3, maxFailNum: 4, maxRequests: 2, timeout: "30 seconds", windowInterval: "60 seconds" }
      for (const run of ops) {
        yield* TestClock.setTime(0)
        const plain = yield* RegionBreaker.make(settings)
        const effectful = yield* RegionBreaker.make(settings)
        let now = 0
        for (const op of run) {
          now += op.dt
          yield* TestClock.setTime(now)
          const a = plain.tryBefore!("k", now) ?? (yield* plain.before("k"))
          const b = yield* effectful.before("k")
          expect(a).toEqual(b)
          if (!plain.tryAfter!("k", a, op.outcome, now)) yield* plain.after("k", a, op.outcome)
          yield* effectful.after("k", b, op.outcome)
          expect(yield* plain.snapshot("k")).toEqual(yield* effectful.snapshot("k"))
        }
      }
    }))
})

describe("credentials at hand (peek)", () => {
  it.effect("static: always; cached: once fetched and until its refresh window, never an expired one", () =>
    Effect.gen(function* () {
      const { Credentials, layerStatic, cached } = yield* Effect.promise(() => import("../../src/Credentials.js"))
      const s = yield* Effect.provide(Credentials, layerStatic({ secretId: "AKIDpeek", secretKey: Redacted.make("k") }))
      expect(s.peek?.(0)?.secretId).toBe("AKIDpeek")
      yield* TestClock.setTime(1_000_000)
      const c = yield* cached(Effect.sync(() => ({ ...credential, expiresAt: 1_000_000 + 600_000 })), { refreshBefore: "60 seconds" })
      expect(c.peek?.(1_000_000)).toBeUndefined()
      expect((yield* c.get).secretId).toBe("kid")
      expect(c.peek?.(1_000_000)?.secretId).toBe("kid")
      expect(c.peek?.(1_000_000 + 540_000 - 1)?.secretId).toBe("kid")
      expect(c.peek?.(1_000_000 + 540_000)).toBeUndefined()
    }))
})
