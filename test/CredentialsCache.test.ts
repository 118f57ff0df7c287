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
  /** One get in the refresh window returns the current credential at once; the refresh lands after. */
  const inWindow = (get: Effect.Effect<Credentials.Credential, CredentialsError>) =>
    Effect.gen(function* () {
      const now = yield* idOf(get)
      yield* settle
      return now
    })

  it.effect("serves from the cache until 5 minutes before expiry, then refreshes in the background", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      expect(yield* idOf(get)).toBe("id-1")
      yield* TestClock.adjust(55 * MINUTE - 1)
      expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(1)
      yield* TestClock.adjust(1)
      expect(yield* inWindow(get)).toBe("id-1") // still valid: served at once
      expect(s.runs()).toBe(2)
      expect(yield* idOf(get)).toBe("id-2")
      // the new credential lives an hour from its fetch (t = 55 min): next refresh at 110 min
      yield* TestClock.adjust(55 * MINUTE - 1)
      expect(yield* idOf(get)).toBe("id-2")
      yield* TestClock.adjust(1)
      expect(yield* inWindow(get)).toBe("id-2")
      expect(yield* idOf(get)).toBe("id-3")
    }))

  it.effect("refreshBefore moves the refresh time", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source, { refreshBefore: "20 minutes" })
      yield* get
      yield* TestClock.adjust(40 * MINUTE - 1)
      expect(yield* inWindow(get)).toBe("id-1")
      expect(s.runs()).toBe(1)
      yield* TestClock.adjust(1)
      yield* inWindow(get)
      expect(yield* idOf(get)).toBe("id-2")
    }))

  it.effect("a margin longer than the lifetime is capped at half the lifetime (no refresh on every call)", () =>
    Effect.gen(function* () {
      const s = scripted(2 * MINUTE)
      const { get } = yield* Credentials.cached(s.source, { refreshBefore: "5 minutes" })
      yield* get
      yield* TestClock.adjust(MINUTE - 1)
      expect(yield* inWindow(get)).toBe("id-1")
      expect(s.runs()).toBe(1)
      yield* TestClock.adjust(1)
      yield* inWindow(get)
      expect(yield* idOf(get)).toBe("id-2")
    }))

  it.effect("the default margin is 10 % of a short lifetime (20 minutes → 2 minutes)", () =>
    Effect.gen(function* () {
      const s = scripted(20 * MINUTE)
      const { get } = yield* Credentials.cached(s.source)
      yield* get
      yield* TestClock.adjust(18 * MINUTE - 1)
      expect(yield* inWindow(get)).toBe("id-1")
      expect(s.runs()).toBe(1)
      yield* TestClock.adjust(1)
      yield* inWindow(get)
      expect(s.runs()).toBe(2)
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

  it.effect("1,000 concurrent gets on an empty cache: one source run, one credential", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      const h = yield* s.hold
      const all = yield* Effect.fork(Effect.all(Array.from({ length: 1000 }, () => idOf(get)), { concurrency: "unbounded" }))
      yield* h.started
      yield* settle
      expect(s.runs()).toBe(1)
      yield* h.open
      const ids = yield* Fiber.join(all)
      expect(new Set(ids)).toEqual(new Set(["id-1"]))
      expect(s.runs()).toBe(1)
    }))

  it.effect("1,000 concurrent gets inside the refresh window: all served at once, one refresh in the background", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      yield* get
      yield* TestClock.adjust(56 * MINUTE)
      const h = yield* s.hold
      // the refresh is held: every caller still gets the valid credential without waiting
      const ids = yield* Effect.all(Array.from({ length: 1000 }, () => idOf(get)), { concurrency: "unbounded" })
      expect(new Set(ids)).toEqual(new Set(["id-1"]))
      yield* h.started
      expect(s.runs()).toBe(2)
      yield* h.open
      yield* settle
      expect(yield* idOf(get)).toBe("id-2")
      expect(s.runs()).toBe(2)
    }))

  it.effect("a refresh that hangs blocks nobody while the credential is valid, and is cut off by refreshTimeout", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source, { refreshTimeout: "30 seconds" })
      yield* get
      yield* TestClock.adjust(56 * MINUTE)
      const h = yield* s.hold // never opened: the source hangs
      for (let i = 0; i < 5; i++) expect(yield* idOf(get)).toBe("id-1")
      yield* h.started
      expect(s.runs()).toBe(2)
      yield* TestClock.adjust("30 seconds") // the hung refresh times out
      yield* settle
      expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(2) // backing off: no new refresh yet
    }))

  it.effect("a caller with nothing valid to fall back on waits at most refreshTimeout", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source, { refreshTimeout: "10 seconds" })
      yield* s.hold
      const caller = yield* Effect.fork(Effect.flip(get))
      yield* settle
      yield* TestClock.adjust("10 seconds")
      const e = yield* Fiber.join(caller)
      expect(e.provider).toBe("cached")
      expect(e.message).toMatch(/did not answer within 10000 ms/)
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

  it.effect("a failing refresh keeps the last good credential while it is valid and backs off (1 s, 2 s, 4 s ...)", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      yield* get
      s.setMode("fail")
      yield* TestClock.adjust(56 * MINUTE)
      expect(yield* inWindow(get)).toBe("id-1")
      expect(s.runs()).toBe(2)
      // every caller inside the back-off gets the valid credential without calling the source
      for (let i = 0; i < 100; i++) expect(yield* idOf(get)).toBe("id-1")
      expect(s.runs()).toBe(2)
      yield* TestClock.adjust(1000)
      yield* inWindow(get)
      expect(s.runs()).toBe(3)
      yield* TestClock.adjust(1000) // the second back-off is 2 s
      yield* inWindow(get)
      expect(s.runs()).toBe(3)
      yield* TestClock.adjust(1000)
      yield* inWindow(get)
      expect(s.runs()).toBe(4)
      s.setMode("ok")
      yield* TestClock.adjust(4000)
      expect(yield* inWindow(get)).toBe("id-1")
      expect(yield* idOf(get)).toBe("id-5")
      // a success resets the back-off
      s.setMode("fail")
      yield* TestClock.adjust(56 * MINUTE)
      yield* inWindow(get)
      expect(s.runs()).toBe(6)
      yield* TestClock.adjust(1000)
      yield* inWindow(get)
      expect(s.runs()).toBe(7)
    }))

  it.effect("a source with nothing newer (a credential already due) backs off instead of being asked on every get", () =>
    Effect.gen(function* () {
      let runs = 0
      const fixedExpiry = HOUR
      const { get } = yield* Credentials.cached(
        Effect.sync((): Credentials.Credential => {
          runs++
          return { secretId: "same", secretKey: Redacted.make("k"), expiresAt: fixedExpiry }
        })
      )
      yield* get
      yield* TestClock.adjust(58 * MINUTE)
      for (let i = 0; i < 50; i++) {
        yield* get
        yield* settle
      }
      expect(runs).toBe(2)
    }))

  it.effect("the id, key and token a caller gets always come from one refresh", () =>
    Effect.gen(function* () {
      const s = scripted(10 * MINUTE)
      const { get } = yield* Credentials.cached(s.source)
      const seen: Array<Credentials.Credential> = []
      for (let round = 0; round < 20; round++) {
        const batch = yield* Effect.all(Array.from({ length: 50 }, () => get), { concurrency: "unbounded" })
        seen.push(...batch)
        yield* TestClock.adjust(MINUTE + 7)
        yield* settle
      }
      expect(s.runs()).toBeGreaterThan(2)
      for (const c of seen) {
        const n = c.secretId.slice(3)
        expect(Redacted.value(c.secretKey)).toBe(`key-${n}`)
        expect(Redacted.value(c.token!)).toBe(`token-${n}`)
      }
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

  it.effect("a caller interrupted while taking the lead never leaves a refresh that nobody runs", () =>
    Effect.gen(function* () {
      const s = scripted(HOUR)
      const { get } = yield* Credentials.cached(s.source)
      // interrupt 200 callers at every possible point; a later get must still complete
      for (let i = 0; i < 200; i++) {
        const f = yield* Effect.fork(get)
        yield* Effect.repeatN(Effect.yieldNow(), i % 7)
        yield* Fiber.interrupt(f)
      }
      expect((yield* get).secretId).toMatch(/^id-/)
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
      expect(yield* inWindow(service.get)).toBe("id-1")
      expect(yield* idOf(service.get)).toBe("id-2")
    }))
})
