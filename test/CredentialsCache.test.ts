import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Credentials from "../src/Credentials.js"
import { CredentialsError } from "../src/Errors.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/**
 * A scripted source: each run counts, then (optionally) waits for a gate, then answers with the
 * current mode. Credentials are numbered `id-1`, `id-2`, ... and live `lifetime` ms from the run
 * (`null`: no `expiresAt`).
 */
const scripted = (lifetime: number | null = HOUR) => {
  let runs = 0
  let mode: "ok" | "fail" | "expired" = "ok"
  let gate: Deferred.Deferred<void> | undefined
  let started: Deferred.Deferred<void> | undefined
  const source: Effect.Effect<Credentials.Credential, CredentialsError> = Effect.gen(function* () {
    const n = ++runs
    if (started) yield* Deferred.succeed(started, undefined)
    if (gate) yield* Deferred.await(gate)
    const now = yield* Clock.currentTimeMillis
    if (mode === "fail") return yield* new CredentialsError({ provider: "sts", message: `refresh ${n} failed` })
    return {
      secretId: `id-${n}`,
      secretKey: Redacted.make(`key-${n}`),
      token: Redacted.make(`token-${n}`),
      expiresAt: mode === "expired" ? now - 1 : lifetime === null ? undefined : now + lifetime
    }
  })
  return {
    source,
    runs: () => runs,
    setMode: (m: typeof mode) => {
      mode = m
    },
    /** Hold the next runs until `open` is called; `started` completes when one begins. */
    hold: Effect.gen(function* () {
      gate = yield* Deferred.make<void>()
      started = yield* Deferred.make<void>()
      const g = gate
      const s = started
      return {
        started: Deferred.await(s),
        open: Effect.zipRight(Deferred.succeed(g, undefined), Effect.sync(() => {
          gate = undefined
          started = undefined
        }))
      }
    })
  }
}

const idOf = (get: Effect.Effect<Credentials.Credential, CredentialsError>) => Effect.map(get, (c) => c.secretId)
const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("cached", () => {
  it.effect("serves from the cache until 5 minutes before expiry, then refreshes", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      expect(yield* idOf(get)).toBe("id-1")
      yield* TestClock.adjust(55 * MINUTE - 1)
      expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(1)
      yield* TestClock.adjust(1)
      expect(yield* idOf(get)).toBe("id-2")
      expect(s.runs()).toBe(2)
      // the new credential lives an hour from its fetch (t = 55 min): next refresh at 110 min
      yield* TestClock.adjust(55 * MINUTE - 1)
      expect(yield* idOf(get)).toBe("id-2")
      yield* TestClock.adjust(1)
      expect(yield* idOf(get)).toBe("id-3")
    }))

  it.effect("refreshBefore moves the refresh time", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source, { refreshBefore: "20 minutes" })
      yield* get
      yield* TestClock.adjust(40 * MINUTE - 1)
      expect(yield* idOf(get)).toBe("id-1")
      yield* TestClock.adjust(1)
      expect(yield* idOf(get)).toBe("id-2")
    }))

  it.effect("a margin longer than the lifetime is capped at half the lifetime (no refresh on every call)", () =>
    Effect.gen(function* () {
      const s = scripted(2 * MINUTE)
      const { get } = yield* Credentials.cached(s.source, { refreshBefore: "5 minutes" })
      yield* get
      yield* TestClock.adjust(MINUTE - 1)
      expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(1)
      yield* TestClock.adjust(1)
      expect(yield* idOf(get)).toBe("id-2")
    }))

  it.effect("credentials without expiresAt are cached forever", () =>
    Effect.gen(function* () {
      const s = scripted(null)
      const { get } = yield* Credentials.cached(s.source)
      yield* get
      yield* TestClock.adjust(1000 * 24 * HOUR)
      expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(1)
    }))

  it.effect("100 concurrent gets on an empty cache: one source run, one credential", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      const h = yield* s.hold
      const all = yield* Effect.fork(Effect.all(Array.from({ length: 100 }, () => idOf(get)), { concurrency: "unbounded" }))
      yield* h.started
      yield* settle
      expect(s.runs()).toBe(1)
      yield* h.open
      const ids = yield* Fiber.join(all)
      expect(new Set(ids)).toEqual(new Set(["id-1"]))
      expect(s.runs()).toBe(1)
    }))

  it.effect("100 concurrent gets inside the refresh window: one refresh, all get the new credential", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      yield* get
      yield* TestClock.adjust(56 * MINUTE)
      const h = yield* s.hold
      const all = yield* Effect.fork(Effect.all(Array.from({ length: 100 }, () => idOf(get)), { concurrency: "unbounded" }))
      yield* h.started
      yield* settle
      expect(s.runs()).toBe(2)
      yield* h.open
      const ids = yield* Fiber.join(all)
      expect(new Set(ids)).toEqual(new Set(["id-2"]))
      expect(s.runs()).toBe(2)
    }))

  it.effect("a failed fetch is not cached: the next get runs the source again", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      s.setMode("fail")
      const e1 = yield* Effect.flip(get)
      expect(e1.message).toBe("refresh 1 failed")
      const e2 = yield* Effect.flip(get)
      expect(e2.message).toBe("refresh 2 failed")
      s.setMode("ok")
      expect(yield* idOf(get)).toBe("id-3")
      expect(yield* idOf(get)).toBe("id-3")
      expect(s.runs()).toBe(3)
    }))

  it.effect("concurrent callers share one failing refresh; the one after them tries again", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      s.setMode("fail")
      const h = yield* s.hold
      const all = yield* Effect.fork(Effect.all(Array.from({ length: 10 }, () => Effect.either(get)), { concurrency: "unbounded" }))
      yield* h.started
      yield* settle
      yield* h.open
      const results = yield* Fiber.join(all)
      expect(results.every((r) => r._tag === "Left" && r.left.message === "refresh 1 failed")).toBe(true)
      expect(s.runs()).toBe(1)
      s.setMode("ok")
      expect(yield* idOf(get)).toBe("id-2")
    }))

  it.effect("a failed refresh keeps the last good credential while it is valid, and retries on each get", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      yield* get
      s.setMode("fail")
      yield* TestClock.adjust(56 * MINUTE)
      expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(2)
      yield* TestClock.adjust(4 * MINUTE - 1) // 1 ms before expiry
      expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(3)
      s.setMode("ok")
      expect(yield* idOf(get)).toBe("id-4")
    }))

  it.effect("an expired credential is never returned: the refresh's error is", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      yield* get
      s.setMode("fail")
      yield* TestClock.adjust(HOUR) // now == expiresAt
      const e = yield* Effect.flip(get)
      expect(e.message).toBe("refresh 2 failed")
      s.setMode("ok")
      expect(yield* idOf(get)).toBe("id-3")
    }))

  it.effect("a source that returns an already expired credential fails the refresh", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      yield* TestClock.adjust(HOUR)
      s.setMode("expired")
      const e = yield* Effect.flip(get)
      expect(e.provider).toBe("cached")
      expect(e.message).toMatch(/expired at/)
      s.setMode("ok")
      expect(yield* idOf(get)).toBe("id-2")
    }))

  it.effect("interrupting the caller that started a refresh does not cancel it for the others", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      const h = yield* s.hold
      const leader = yield* Effect.fork(get)
      yield* h.started
      const follower = yield* Effect.fork(idOf(get))
      yield* settle
      yield* Fiber.interrupt(leader)
      yield* h.open
      expect(yield* Fiber.join(follower)).toBe("id-1")
      expect(s.runs()).toBe(1)
      expect(yield* idOf(get)).toBe("id-1")
    }))

  it.effect("a defect in the source reaches the callers and is not cached", () =>
    Effect.gen(function* () {
      let first = true
      const { get } = yield* Credentials.cached(
        Effect.suspend(() => {
          if (first) {
            first = false
            return Effect.die("boom")
          }
          return Effect.succeed<Credentials.Credential>({ secretId: "ok", secretKey: Redacted.make("k") })
        })
      )
      const exit = yield* Effect.exit(get)
      expect(Exit.isFailure(exit)).toBe(true)
      expect((yield* get).secretId).toBe("ok")
    }))

  it.effect("layerCached wraps the Credentials in the context", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const layer = Credentials.layerCached({ refreshBefore: "1 minute" }).pipe(
        Layer.provide(Layer.succeed(Credentials.Credentials, { get: s.source }))
      )
      const service = yield* Credentials.Credentials.pipe(Effect.provide(layer))
      yield* service.get
      yield* service.get
      expect(s.runs()).toBe(1)
      yield* TestClock.adjust(59 * MINUTE)
      expect(yield* idOf(service.get)).toBe("id-2")
    }))
})
