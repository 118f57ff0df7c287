/**
 * The region breaker probes gently through `Client.call` (issue 14 item 9): in half-open, with
 * the primary region still down, 1,000 concurrent unsafe calls lose at most `maxRequests` (the
 * probes); every other call goes to the backup region until the probes decide. Layer-mocked
 * transport, time on the TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Client from "../src/Client.js"
import * as Retry from "../src/Retry.js"
import { jsonAnswer, makeMockHttp, staticCredentials } from "./helpers/mockHttp.js"

const BACKUP = "cvm.ap-guangzhou.tencentcloudapi.com"

describe("half-open through Client.call", () => {
  it.effect("1,000 concurrent RunInstances with the primary still down: 3 lost (maxRequests), 997 served by the backup", () =>
    Effect.gen(function* () {
      let primaryDown: "reset" | "hang" = "reset"
      const mock = makeMockHttp((req) =>
        new URL(req.url).host === BACKUP
          ? jsonAnswer({ InstanceIdSet: ["ins-backup"] })
          : primaryDown === "reset"
            ? { fail: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }
            : { never: true }
      )
      const live = Client.layer({ region: "ap-shanghai", regionalEndpoint: true, timeout: "1 second", breaker: { maxRequests: 3 } }).pipe(
        Layer.provide(staticCredentials()),
        Layer.provide(mock.layer)
      )
      const run = Client.call("cvm", "2017-03-12", "RunInstances", {}).pipe(Retry.withRetryPolicy(Retry.none), Effect.either)
      yield* Effect.gen(function* () {
        // five failures open the breaker
        for (let i = 0; i < 5; i++) yield* run
        const opened = mock.recorded.length
        expect(mock.recorded.every((r) => new URL(r.url).host === "cvm.ap-shanghai.tencentcloudapi.com")).toBe(true)
        // the cool-down passes; the primary now hangs (answers nothing; the 1 s timeout fails the probes)
        yield* TestClock.adjust("61 seconds")
        primaryDown = "hang"
        const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 1000 }, () => run), { concurrency: "unbounded" }))
        for (let i = 0; i < 50; i++) yield* Effect.yieldNow()
        yield* TestClock.adjust("1 second")
        const results = yield* Fiber.join(fiber)
        const after = mock.recorded.slice(opened)
        const toPrimary = after.filter((r) => new URL(r.url).host !== BACKUP).length
        expect(toPrimary).toBe(3)
        expect(results.filter((r) => r._tag === "Left").length).toBe(3)
        expect(results.filter((r) => r._tag === "Right").length).toBe(997)
      }).pipe(Effect.provide(live))
    }), 180_000) // 1,000 calls take seconds on a busy machine; no timing is asserted
})
