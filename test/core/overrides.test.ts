/**
 * Every per-call option works on Effects and Streams (pages, items, SSE): it type-checks in a
 * `pipe`, keeps the requirements unchanged, and reaches every request the stream makes.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Client from "../../src/Client.js"
import { describeInstances, describeInstancesItems, describeInstancesPages } from "../../src/generated/cvm/v20170312.js"
import * as Retry from "../../src/Retry.js"
import { jsonAnswer, makeMockHttp, staticCredentials } from "../helpers/mockHttp.js"

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const assertType = <T extends true>(): T => true as T

describe("per-call options on Streams", () => {
  it("type-check in a pipe and keep the stream's type", () => {
    const items = describeInstancesItems({ Limit: 1 })
    const tuned = items.pipe(
      Client.withRegion("ap-shanghai"),
      Client.withLanguage("en-US"),
      Client.withTimeout("5 seconds"),
      Client.withHeaders({ "X-A": "1" }),
      Client.withEndpoint("cvm.ap-shanghai.tencentcloudapi.com"),
      Client.withMethod("GET"),
      Retry.withRetryPolicy(Retry.none)
    )
    assertType<Same<typeof tuned, typeof items>>()
    const pages = describeInstancesPages({}).pipe(Client.withRegion("ap-shanghai"))
    assertType<Same<typeof pages, ReturnType<typeof describeInstancesPages>>>()
    const effect = describeInstances({}).pipe(Client.withRegion("ap-shanghai"))
    assertType<Same<typeof effect, ReturnType<typeof describeInstances>>>()
    const data = Client.withRegion(Stream.make(1, 2), "ap-beijing")
    assertType<Same<typeof data, Stream.Stream<number>>>()
    expect(Stream.StreamTypeId in tuned).toBe(true)
  })

  it.effect("reach every page request of a stream", () => {
    const http = makeMockHttp((r) => {
      const body = JSON.parse(r.body)
      const offset = body.Offset ?? 0
      return jsonAnswer({ TotalCount: 3, InstanceSet: offset < 3 ? [{ InstanceId: `ins-${offset}` }] : [] })
    })
    const layer = Client.layer({ region: "ap-guangzhou" }).pipe(Layer.provide(Layer.merge(http.layer, staticCredentials())))
    return Effect.gen(function* () {
      const ids = yield* describeInstancesItems({ Limit: 1 }).pipe(
        Client.withRegion("ap-shanghai"),
        Client.withHeaders({ "X-Per-Stream": "yes" }),
        Stream.map((i) => i.InstanceId),
        Stream.runCollect
      )
      expect([...ids]).toEqual(["ins-0", "ins-1", "ins-2"])
      expect(http.recorded.length).toBeGreaterThanOrEqual(3)
      for (const r of http.recorded) {
        expect(r.headers["x-tc-region"]).toBe("ap-shanghai")
        expect(r.headers["x-per-stream"]).toBe("yes")
      }
    }).pipe(Effect.provide(layer))
  })
})
