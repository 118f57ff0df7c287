/**
 * The engine with a protocol it has never seen (test/core/testProtocol.ts): a second protocol is
 * one value, and retries, the region breaker, timeouts, spans, the debugging hook and redaction
 * apply to it unchanged.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as Client from "../../src/Client.js"
import * as Engine from "../../src/core/Engine.js"
import type { MockAnswer } from "../../src/internal/mockHttp.js"
import * as RegionBreaker from "../../src/RegionBreaker.js"
import * as Retry from "../../src/Retry.js"
import * as Testing from "../../src/Testing.js"
import { KvError, kvProtocol, kvSignature } from "./testProtocol.js"

const SECRET = "kv-secret-DO-NOT-LEAK"
const credentials = { get: Effect.succeed({ secretId: "kid", secretKey: Redacted.make(SECRET) }) }

const ok = (value: string): MockAnswer => ({ body: JSON.stringify({ value }), headers: { "content-type": "application/json", "x-kv-request-id": "rq" } })
const err = (code: string, status = 400): MockAnswer => ({ status, body: JSON.stringify({ error: { code, message: `${code}!` } }), headers: { "content-type": "application/json", "x-kv-request-id": "rq-err" } })

const setup = (handler: (r: Testing.RecordedRequest, n: number) => MockAnswer, options: Partial<Engine.EngineOptions> = {}) => {
  const mock = Testing.mockHttpClient(handler)
  const engine = Engine.make({ credentials, http: mock.client, ...options })
  return { mock, engine, protocol: kvProtocol() }
}

describe("a second protocol on the engine", () => {
  it.effect("lays out, signs each attempt for its host and time, and interprets", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_700_000_000_000)
      const { mock, engine, protocol } = setup(() => ok("v1"))
      const out = yield* engine.call(protocol, { key: "a-b" }).pipe(Client.withRegion("r2"))
      expect(out).toBe("v1")
      const r = mock.recorded[0]
      expect(r.method).toBe("GET")
      expect(r.url).toBe("https://r2.kv.example.com/a-b")
      expect(r.headers["x-kv-signature"]).toBe(kvSignature(SECRET, "GET", "r2.kv.example.com", "/a-b", 1_700_000_000))
    }))

  it.effect("bad input fails in layout with nothing sent", () =>
    Effect.gen(function* () {
      const { mock, engine, protocol } = setup(() => ok("x"))
      const e = yield* Effect.flip(engine.call(protocol, { key: "Bad Key" }))
      expect(e._tag).toBe("RequestValidationError")
      expect(mock.recorded.length).toBe(0)
    }))

  it.effect("its throttling code is retried for any call; its internal code never; each attempt re-signed", () =>
    Effect.gen(function* () {
      const { mock, engine, protocol } = setup((_, n) => (n < 3 ? err("SlowDown", 503) : ok("done")))
      const f = yield* Effect.fork(engine.call(protocol, { key: "k", write: "v" }))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(f)).toBe("done")
      expect(mock.recorded.length).toBe(3)
      // every attempt carries a signature made at its own time (the clock moved between attempts)
      for (const r of mock.recorded) {
        expect(r.headers["x-kv-signature"]).toBe(kvSignature(SECRET, "PUT", "r1.kv.example.com", "/k", Number(r.headers["x-kv-timestamp"])))
      }
      expect(Number(mock.recorded[2].headers["x-kv-timestamp"])).toBeGreaterThan(Number(mock.recorded[0].headers["x-kv-timestamp"]))

      const boom = setup(() => err("Boom", 500))
      const e = yield* Effect.flip(boom.engine.call(boom.protocol, { key: "k" }))
      expect(e).toBeInstanceOf(KvError)
      expect(e._tag).toBe("Boom")
      expect(boom.mock.recorded.length).toBe(1)
    }))

  it.effect("its 'unavailable' code is retried only when the call is safe to repeat", () =>
    Effect.gen(function* () {
      const read = setup((_, n) => (n === 1 ? err("Busy", 503) : ok("r")))
      const f = yield* Effect.fork(read.engine.call(read.protocol, { key: "k" }))
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(f)).toBe("r")
      const write = setup((_, n) => (n === 1 ? err("Busy", 503) : ok("w")))
      const e = yield* Effect.flip(write.engine.call(write.protocol, { key: "k", write: "x" }))
      expect(e._tag).toBe("Busy")
      expect(write.mock.recorded.length).toBe(1)
    }))

  it.effect("the per-call retry policy applies to it", () =>
    Effect.gen(function* () {
      const { mock, engine, protocol } = setup(() => err("SlowDown", 503))
      yield* Effect.flip(engine.call(protocol, { key: "k" }).pipe(Retry.withRetryPolicy(Retry.none)))
      expect(mock.recorded.length).toBe(1)
    }))

  it.effect("the region breaker opens on its failures and sends it to its backup", () =>
    Effect.gen(function* () {
      const breaker = yield* RegionBreaker.make({ failureThreshold: 2, backupEndpoint: "unused.example.com" } as any).pipe(
        Effect.orElse(() => RegionBreaker.make({}))
      )
      const { mock, engine, protocol } = setup((r) => (r.url.startsWith("https://backup.") ? ok("from-backup") : { fail: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }), { breaker })
      let last: Exit.Exit<string, unknown> | undefined
      for (let i = 0; i < 8; i++) {
        const f = yield* Effect.fork(Effect.exit(engine.call(protocol, { key: "k" }).pipe(Retry.withRetryPolicy(Retry.none))))
        yield* TestClock.adjust("1 second")
        last = yield* Fiber.join(f)
      }
      expect(last !== undefined && Exit.isSuccess(last) ? last.value : undefined).toBe("from-backup")
      const backupAttempt = mock.recorded.find((r) => r.url.startsWith("https://backup."))!
      // signed for the host it went to
      expect(backupAttempt.headers["x-kv-signature"]).toBe(
        kvSignature(SECRET, "GET", "backup.kv.example.com", "/k", Number(backupAttempt.headers["x-kv-timestamp"]))
      )
    }))

  it.effect("a request that never answers times out with TimeoutError (TestClock) and its request is aborted", () =>
    Effect.gen(function* () {
      const { mock, engine, protocol } = setup(() => ({ never: true }))
      const f = yield* Effect.fork(Effect.flip(engine.call(protocol, { key: "k", write: "x" }).pipe(Client.withTimeout("2 seconds"))))
      yield* TestClock.adjust("3 seconds")
      const e = yield* Fiber.join(f)
      expect(e._tag).toBe("TimeoutError")
      expect(mock.recorded[0].signal.aborted).toBe(true)
    }))

  it.effect("one span named after the protocol, with its attempts; the hook sees redacted exchanges", () =>
    Effect.gen(function* () {
      const spans: Array<{ name: string; attributes: Map<string, unknown>; exit?: Exit.Exit<unknown, unknown> }> = []
      const tracer = Tracer.make({
        span(name, parent, context, links, startTime, kind) {
          const attributes = new Map<string, unknown>()
          const span: Tracer.Span = {
            _tag: "Span", name, spanId: String(spans.length), traceId: "t", parent, context, status: { _tag: "Started", startTime }, attributes, links, sampled: true, kind,
            end(_t, exit) { rec.exit = exit }, attribute(k, v) { attributes.set(k, v) }, event() {}, addLinks() {}
          }
          const rec: { name: string; attributes: Map<string, unknown>; exit?: Exit.Exit<unknown, unknown> } = { name, attributes }
          spans.push(rec)
          return span
        },
        context: (f) => f()
      })
      const seen: Array<string> = []
      const { engine, protocol } = setup((_, n) => (n === 1 ? err("SlowDown", 503) : ok("v")), { listener: (x) => Effect.sync(() => void seen.push(JSON.stringify(x))) })
      const f = yield* Effect.fork(engine.call(protocol, { key: "k" }).pipe(Effect.withTracer(tracer)))
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(f)
      const span = spans.find((s) => s.name === "kv.kv.Get")!
      expect(span).toBeDefined()
      expect(span.attributes.get("kv.attempt")).toBe(2)
      expect(span.attributes.get("kv.region")).toBe("r1")
      // it succeeded after a retry: the failed attempt is an event, not an error attribute of the call
      expect(span.attributes.has("kv.error_code")).toBe(false)
      // the span ends with the outcome, never the answer (answers can hold secrets)
      expect(span.exit !== undefined && Exit.isSuccess(span.exit) && span.exit.value).toBe(undefined)
      expect(seen.length).toBe(2)
      expect(seen.join("\n")).not.toContain(SECRET)
      expect(seen[0]).toContain("<redacted>")
      expect(seen.join("\n")).not.toMatch(/"x-kv-signature":"[0-9a-f]{64}"/i)
    }))
})
