import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as sse from "../src/internal/sse.js"

describe("server-sent events", () => {
  it("joins data lines, reads event/id/retry, ignores comments", () => {
    const events = sse.parseText(": hello\nid: 1\nevent: message\ndata: {\"a\":1}\ndata: second\nretry: 3000\n\ndata: x\n\n")
    expect(events).toEqual([
      { id: "1", event: "message", data: '{"a":1}\nsecond', retry: 3000 },
      { id: undefined, event: undefined, data: "x", retry: undefined }
    ])
  })
  it("delivers a last event without a trailing blank line, and handles CRLF", () => {
    expect(sse.parseText("data: a\r\n\r\ndata: b").map((e) => e.data)).toEqual(["a", "b"])
  })
  it.effect("parses events split across arbitrary byte chunks", () =>
    Effect.gen(function* () {
      const text = "data: 你好\n\ndata: {\"Choices\":[1]}\n\n"
      const bytes = new TextEncoder().encode(text)
      const chunks: Array<Uint8Array> = []
      for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.slice(i, i + 3))
      const out = yield* Stream.runCollect(sse.fromBytes(Stream.fromIterable(chunks)))
      expect(Chunk.toArray(out).map((e) => e.data)).toEqual(["你好", '{"Choices":[1]}'])
    }))
})

// issue 14 item 11: a stream that stalls after its headers ends with TimeoutError
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as TestClock from "effect/TestClock"
import { TimeoutError } from "../src/Errors.js"

describe("server-sent events: idle timeout between events", () => {
  const enc = new TextEncoder()
  const idle = {
    millis: 30_000,
    onIdle: (millis: number) =>
      new TimeoutError({ service: "hunyuan", version: "2023-09-01", action: "ChatCompletions", timeoutMillis: millis, traceId: "t", message: `no event for ${millis} ms` })
  }
  const stalled = (q: Queue.Queue<Uint8Array>) => Stream.fromQueue(q)

  it.effect("ends a stream that stalls after an event with TimeoutError, on the TestClock", () =>
    Effect.gen(function* () {
      const q = yield* Queue.unbounded<Uint8Array>()
      const seen: Array<string> = []
      const fiber = yield* Effect.fork(Stream.runForEach(sse.fromBytes(stalled(q), idle), (e) => Effect.sync(() => void seen.push(e.data))).pipe(Effect.either))
      yield* q.offer(enc.encode("data: first\n\n"))
      yield* TestClock.adjust("29 seconds")
      expect(seen).toEqual(["first"])
      expect(fiber.unsafePoll()).toBeNull() // still waiting, within the timeout
      yield* TestClock.adjust("1 second")
      const r = yield* Fiber.join(fiber)
      expect(r._tag).toBe("Left")
      if (r._tag === "Left") {
        expect(r.left._tag).toBe("TimeoutError")
        expect(r.left.timeoutMillis).toBe(30_000)
      }
    }))

  it.effect("counts from the last event: events every 20 s keep a 30 s stream alive; comments do not", () =>
    Effect.gen(function* () {
      const q = yield* Queue.unbounded<Uint8Array>()
      const seen: Array<string> = []
      const fiber = yield* Effect.fork(Stream.runForEach(sse.fromBytes(stalled(q), idle), (e) => Effect.sync(() => void seen.push(e.data))).pipe(Effect.either))
      for (let i = 0; i < 5; i++) {
        yield* q.offer(enc.encode(`data: ${i}\n\n`))
        yield* TestClock.adjust("20 seconds")
      }
      expect(fiber.unsafePoll()).toBeNull()
      // keep-alive comments only: still idle
      yield* q.offer(enc.encode(": ping\n"))
      yield* TestClock.adjust("10 seconds")
      const r = yield* Fiber.join(fiber)
      expect(seen).toEqual(["0", "1", "2", "3", "4"])
      expect(r._tag).toBe("Left")
    }))

  it.effect("without an idle timeout the same stall never ends (the old behaviour)", () =>
    Effect.gen(function* () {
      const q = yield* Queue.unbounded<Uint8Array>()
      const fiber = yield* Effect.fork(Stream.runDrain(sse.fromBytes(stalled(q))))
      yield* q.offer(enc.encode("data: first\n\n"))
      yield* TestClock.adjust("1 hour")
      expect(fiber.unsafePoll()).toBeNull()
      yield* Fiber.interrupt(fiber)
      expect(sse.DEFAULT_IDLE_TIMEOUT_MILLIS).toBeGreaterThanOrEqual(60_000)
    }))

  it.effect("a stream that ends normally is not affected", () =>
    Effect.gen(function* () {
      const out = yield* Stream.runCollect(sse.fromBytes(Stream.make(enc.encode("data: a\n\ndata: b")), idle))
      expect(Chunk.toReadonlyArray(out).map((e) => e.data)).toEqual(["a", "b"])
    }))
})

describe("server-sent events: idle timeout over a body stalled inside a read", () => {
  it.effect("a byte source stuck awaiting a promise (it cannot be interrupted) still ends with the idle error", () =>
    Effect.gen(function* () {
      async function* stalled() {
        yield new TextEncoder().encode("data: a\n\n")
        await new Promise(() => {}) // never settles: return() on this iterator never completes
      }
      const seen: Array<string> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(sse.fromBytes(Stream.fromAsyncIterable(stalled(), (e) => e), { millis: 10_000, onIdle: () => "idle" as const }), (e) =>
          Effect.sync(() => void seen.push(e.data))
        ).pipe(Effect.either)
      )
      for (let i = 0; i < 200 && seen.length === 0; i++) yield* Effect.promise(() => new Promise<void>((r) => setTimeout(r, 5)))
      yield* TestClock.adjust("10 seconds")
      const r = yield* Fiber.join(fiber)
      expect(seen).toEqual(["a"])
      expect(r).toMatchObject({ _tag: "Left", left: "idle" })
    }))
})
