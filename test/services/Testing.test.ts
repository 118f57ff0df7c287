/**
 * The mock layers of `src/Testing.ts`, driven through real generated actions (cvm, vpc, hunyuan):
 * handler maps (flat and nested), unknown actions, drifting mocks, undeclared codes, typed
 * per-product and per-action mocks, delegation, streams and pagination.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { ApiError } from "../../src/Errors.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as Hunyuan from "../../src/generated/hunyuan/v20230901.js"
import * as Vpc from "../../src/generated/vpc/v20170312.js"
import * as Testing from "../../src/Testing.js"

const zone = { Zone: "ap-guangzhou-3", ZoneName: "Guangzhou 3", ZoneId: "100003", ZoneState: "AVAILABLE" }

const apiError = (code: string, info: { service: string; version: string; action: string }) =>
  new ApiError({ code, serverMessage: "mocked", requestId: "req-mock", service: info.service, version: info.version, action: info.action })

describe("Testing.layer", () => {
  it.effect("answers a generated action from a flat handler key, filling RequestId", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      const res = yield* Cvm.describeZones().pipe(
        Effect.provide(
          Testing.layer({
            "cvm.DescribeZones": (params) => {
              seen.push(params)
              return Effect.succeed({ TotalCount: 1, ZoneSet: [zone] })
            }
          })
        )
      )
      expect(res.ZoneSet?.[0]?.Zone).toBe("ap-guangzhou-3")
      expect(res.RequestId).toMatch(/^mock-/)
      expect(seen).toEqual([{}])
    }))

  it.effect("answers from nested handlers { service: { Action } }", () =>
    Effect.gen(function* () {
      const res = yield* Vpc.describeVpcs({ Limit: "10" }).pipe(
        Effect.provide(Testing.layer({ vpc: { DescribeVpcs: () => Effect.succeed({ TotalCount: 0, VpcSet: [], RequestId: "r-1" }) } }))
      )
      expect(res.RequestId).toBe("r-1")
      expect(res.VpcSet).toEqual([])
    }))

  it.effect("an action without a handler fails with ApiError InvalidAction naming it", () =>
    Effect.gen(function* () {
      const msg = yield* Cvm.describeRegions().pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("InvalidAction", (e) => Effect.succeed(e.message)),
        Effect.provide(Testing.layer({}))
      )
      expect(msg).toContain("cvm.DescribeRegions")
    }))

  it.effect("a mock that drifts from the API fails with ResponseDecodeError carrying the RequestId", () =>
    Effect.gen(function* () {
      const r = yield* Cvm.describeZones().pipe(
        Effect.either,
        Effect.provide(
          Testing.layer({ "cvm.DescribeZones": () => Effect.succeed({ TotalCount: "one", ZoneSet: [zone], RequestId: "req-drift" }) })
        )
      )
      expect(Either.isLeft(r)).toBe(true)
      const e = (r as Either.Left<any, any>).left
      expect(e._tag).toBe("ResponseDecodeError")
      expect(e.requestId).toBe("req-drift")
      expect(e.message).toContain("TotalCount")
    }))

  it.effect("a partial answer: required members left out are filled with placeholders of their types", () =>
    Effect.gen(function* () {
      const r = yield* Cvm.describeZones().pipe(
        Effect.provide(Testing.layer({ "cvm.DescribeZones": () => Effect.succeed({ TotalCount: 1, ZoneSet: [{ Zone: "ap-guangzhou-3" }] }) }))
      )
      expect(r.TotalCount).toBe(1)
      expect(r.ZoneSet).toEqual([{ Zone: "ap-guangzhou-3", ZoneName: "", ZoneId: "", ZoneState: "" }])
      const empty = yield* Cvm.describeZones().pipe(Effect.provide(Testing.layer({ "cvm.DescribeZones": () => Effect.succeed({}) })))
      expect(empty.TotalCount).toBe(0)
      expect(empty.ZoneSet).toEqual([])
    }))

  it.effect("a mock's wrong-typed and undeclared members are all named, and the message does not advise codegen", () =>
    Effect.gen(function* () {
      const r = yield* Cvm.describeZones().pipe(
        Effect.flip,
        Effect.provide(Testing.layer({ "cvm.DescribeZones": () => Effect.succeed({ TotalCount: 1.5, ZoneSet: [{ Zone: 3 }], Extra: true }) }))
      )
      expect(r._tag).toBe("ResponseDecodeError")
      if (r._tag !== "ResponseDecodeError") return
      expect(r.mismatches?.map((m) => m.path)).toEqual(["TotalCount", "ZoneSet[0].Zone", "Extra"])
      expect(r.message).toContain("mock's answer")
      expect(r.message).not.toContain("codegen")
    }))

  it.effect("a declared code is caught by its tag; an undeclared one arrives as UnknownApiError", () =>
    Effect.gen(function* () {
      const declared = yield* Cvm.describeZones().pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("InvalidParameterValue.ZoneNotSupported", (e) => Effect.succeed(`caught ${e.code}`)),
        Effect.provide(Testing.layer({ "cvm.DescribeZones": (_, info) => Effect.fail(apiError("InvalidParameterValue.ZoneNotSupported", info)) }))
      )
      expect(declared).toBe("caught InvalidParameterValue.ZoneNotSupported")
      const undeclared = yield* Cvm.describeZones().pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("UnknownApiError", (e) => Effect.succeed(`unknown ${e.code}`)),
        Effect.provide(Testing.layer({ "cvm.DescribeZones": (_, info) => Effect.fail(apiError("Made.Up", info)) }))
      )
      expect(undeclared).toBe("unknown Made.Up")
    }))

  it.effect("the request is validated before any handler runs", () =>
    Effect.gen(function* () {
      let called = false
      const r = yield* Cvm.describeInstancesStatus({ InstanceIds: ["ins-1", 2 as any] }).pipe(
        Effect.either,
        Effect.provide(
          Testing.layer({ "cvm.DescribeInstancesStatus": () => ((called = true), Effect.succeed({ TotalCount: 0, InstanceStatusSet: [] })) })
        )
      )
      expect(Either.isLeft(r) && r.left._tag).toBe("RequestValidationError")
      expect(Either.isLeft(r) && r.left._tag === "RequestValidationError" && r.left.field).toBe("InstanceIds[1]")
      expect(called).toBe(false)
    }))

  it.effect("a streaming action streams the events a handler answers", () =>
    Effect.gen(function* () {
      const events = yield* Hunyuan.chatCompletionsStream({ Model: "hunyuan-lite", Messages: [{ Role: "user", Content: "hi" }], Stream: true }).pipe(
        Stream.runCollect,
        Effect.provide(Testing.layer({ "hunyuan.ChatCompletions": () => Effect.succeed([{ data: "a" }, { data: "b" }]) }))
      )
      expect(Chunk.toReadonlyArray(events).map((e) => e.data)).toEqual(["a", "b"])
    }))

  it.effect("a paginated action's item stream walks the mocked pages", () =>
    Effect.gen(function* () {
      const all = Array.from({ length: 7 }, (_, i) => ({ InstanceId: `ins-${i}`, InstanceState: "RUNNING" }))
      const offsets: Array<unknown> = []
      const handler: Testing.Handler = (params) => {
        offsets.push(params.Offset)
        const offset = Number(params.Offset ?? 0)
        const limit = Number(params.Limit ?? 20)
        return Effect.succeed({ TotalCount: all.length, InstanceStatusSet: all.slice(offset, offset + limit) })
      }
      const ids = yield* Cvm.describeInstancesStatusItems({ Limit: 3 }).pipe(
        Stream.map((i) => i.InstanceId),
        Stream.runCollect,
        Effect.provide(Testing.layer({ "cvm.DescribeInstancesStatus": handler }))
      )
      expect(Chunk.toReadonlyArray(ids)).toEqual(all.map((i) => i.InstanceId))
      expect(offsets).toEqual([undefined, 3, 6])
    }))
})

describe("Testing.mockService / mockActions / mockAction", () => {
  it.effect("mockService answers the listed actions of one product, typed; others fail with InvalidAction", () =>
    Effect.gen(function* () {
      const Mock = Testing.mockService(Cvm, {
        DescribeZones: () => Effect.succeed({ TotalCount: 1, ZoneSet: [zone] }),
        DescribeInstancesStatus: (req) =>
          Effect.succeed({
            TotalCount: req.InstanceIds?.length ?? 0,
            InstanceStatusSet: (req.InstanceIds ?? []).map((id) => ({ InstanceId: id, InstanceState: "RUNNING" }))
          })
      })
      const res = yield* Cvm.describeZones().pipe(Effect.provide(Mock))
      expect(res.TotalCount).toBe(1)
      const status = yield* Cvm.describeInstancesStatus({ InstanceIds: ["ins-a", "ins-b"] }).pipe(Effect.provide(Mock))
      expect(status.InstanceStatusSet?.map((s) => s.InstanceId)).toEqual(["ins-a", "ins-b"])
      const other = yield* Cvm.describeRegions().pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("InvalidAction", () => Effect.succeed("invalid")),
        Effect.provide(Mock)
      )
      expect(other).toBe("invalid")
      const otherProduct = yield* Vpc.describeVpcs().pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("InvalidAction", () => Effect.succeed("invalid")),
        Effect.provide(Mock)
      )
      expect(otherProduct).toBe("invalid")
    }))

  it.effect("mockActions overrides listed actions and delegates the rest to the client in context", () =>
    Effect.gen(function* () {
      const Base = Testing.layer({ "cvm.DescribeRegions": () => Effect.succeed({ TotalCount: 0, RegionSet: [] }) })
      const Over = Testing.mockActions(Cvm, { DescribeZones: () => Effect.succeed({ TotalCount: 0, ZoneSet: [] }) }).pipe(
        Layer.provide(Base)
      )
      const [zones, regions] = yield* Effect.all([Cvm.describeZones(), Cvm.describeRegions()]).pipe(Effect.provide(Over))
      expect(zones.ZoneSet).toEqual([])
      expect(regions.RegionSet).toEqual([])
    }))

  it.effect("mockAction overrides one action, typed from the function, with the action's own errors", () =>
    Effect.gen(function* () {
      const Over = Testing.mockAction(Cvm.describeZones, (_req, info) =>
        Effect.fail(apiError("InvalidFilter", info) as ApiError<"InvalidFilter">)
      ).pipe(Layer.provide(Testing.layer({})))
      const r = yield* Cvm.describeZones().pipe(
        Effect.map(() => "answered"),
        Effect.catchTag("InvalidFilter", () => Effect.succeed("filter")),
        Effect.provide(Over)
      )
      expect(r).toBe("filter")
    }))
})

// type-level: checked by `npm run typecheck`
export const typeChecks = () => {
  Testing.mockService(Cvm, {
    // @ts-expect-error a wrong response type does not compile
    DescribeZones: () => Effect.succeed({ TotalCount: "x", ZoneSet: [] })
  })
  Testing.mockService(Cvm, {
    // @ts-expect-error an action the product does not have does not compile
    DescribeNothing: () => Effect.succeed({})
  })
  Testing.mockAction(Cvm.describeZones, () =>
    // @ts-expect-error a code the action does not declare does not compile
    Effect.fail(new ApiError({ code: "Not.Declared" as const, serverMessage: "", requestId: "", service: "", version: "", action: "" }))
  )
}
