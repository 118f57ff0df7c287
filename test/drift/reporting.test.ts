/**
 * Drift through real generated actions (cvm) over a layer-mocked `TencentCloud`: the tolerant
 * default returns the data and reports each drift as a record (listener, PubSub stream), a debug
 * log line, a span event and a counter; strict mode (layer or per call) fails naming every
 * mismatch; `Testing` mocks are strict unless told otherwise; requests accept exact-meaning forms
 * outside strict mode and name every problem.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { TencentCloud } from "../../src/Client.js"
import * as Drift from "../../src/Drift.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as Testing from "../../src/Testing.js"

/** A client answering `answer` to every call and remembering the parameters sent. */
const answering = (answer: Record<string, unknown>) => {
  const sent: Array<Record<string, unknown>> = []
  const layer = Layer.succeed(TencentCloud, {
    call: (_info, params) => Effect.sync(() => (sent.push({ ...params }), structuredClone(answer))),
    stream: () => Stream.empty
  })
  return { sent, layer }
}

// a DescribeZones answer with four kinds of drift
const drifted = {
  TotalCount: "2",
  ZoneSet: [
    { Zone: "ap-guangzhou-3", ZoneName: "Guangzhou 3", ZoneId: 100003, ZoneState: "AVAILABLE" },
    { Zone: "ap-guangzhou-4", ZoneId: "100004", ZoneState: null, Parent: "ap-guangzhou" }
  ],
  RequestId: "req-drift"
}
const expectedRecords = [
  { path: "TotalCount", expected: "an integer (uint64, from 0 to 2^64-1)", got: "\"2\" (a string)", resolution: "coerced" },
  { path: "ZoneSet[0].ZoneId", expected: "a string", got: "the integer 100003", resolution: "coerced" },
  { path: "ZoneSet[1].ZoneName", expected: "a string", got: "nothing (missing)", resolution: "missing" },
  { path: "ZoneSet[1].ZoneState", expected: "a string", got: "null", resolution: "absent" },
  { path: "ZoneSet[1].Parent", expected: "nothing (the spec has no such member)", got: "a string (12 characters)", resolution: "kept" }
].map((r) => ({ service: "cvm", version: "2017-03-12", action: "DescribeZones", requestId: "req-drift", ...r }))

describe("tolerant by default", () => {
  it.effect("returns the data, converted where lossless, and gives each drift to listeners as one record", () =>
    Effect.gen(function* () {
      const seen: Array<Drift.DriftRecord> = []
      const { layer } = answering(drifted)
      const res = yield* Cvm.describeZones().pipe(
        Effect.provide(layer),
        Effect.provide(Drift.layerListener((r) => Effect.sync(() => seen.push(r))))
      )
      expect(res.TotalCount).toBe(2)
      expect(res.ZoneSet).toEqual([
        { Zone: "ap-guangzhou-3", ZoneName: "Guangzhou 3", ZoneId: "100003", ZoneState: "AVAILABLE" },
        { Zone: "ap-guangzhou-4", ZoneId: "100004", Parent: "ap-guangzhou" }
      ])
      expect(seen).toEqual(expectedRecords)
      // the answer as it came
      expect(Drift.raw(res)).toEqual(drifted)
      expect(Object.keys(res)).toEqual(["TotalCount", "ZoneSet", "RequestId"])
    }))

  it.effect("an answer without drift reports nothing and is the answer itself", () =>
    Effect.gen(function* () {
      const seen: Array<Drift.DriftRecord> = []
      const { layer } = answering({ TotalCount: 0, ZoneSet: [], RequestId: "r" })
      const res = yield* Drift.withListener(Cvm.describeZones(), (r) => Effect.sync(() => seen.push(r))).pipe(Effect.provide(layer))
      expect(seen).toEqual([])
      expect(Drift.raw(res)).toBe(res)
    }))

  it.effect("each record is a debug log line with its fields as annotations", () =>
    Effect.gen(function* () {
      const lines: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
      const capture = Logger.make(({ annotations, logLevel, message }) => {
        lines.push({ level: logLevel.label, message: String(Array.isArray(message) ? message[0] : message), annotations: Object.fromEntries(annotations) })
      })
      const { layer } = answering(drifted)
      yield* Cvm.describeZones().pipe(
        Effect.provide(layer),
        Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
        Logger.withMinimumLogLevel(LogLevel.Debug)
      )
      const drift = lines.filter((l) => l.message.startsWith("drift"))
      expect(drift).toHaveLength(5)
      expect(drift.every((l) => l.level === "DEBUG")).toBe(true)
      expect(drift[0].message).toBe("drift in cvm DescribeZones: TotalCount: expected an integer (uint64, from 0 to 2^64-1), got \"2\" (a string) (coerced)")
      expect(drift[2].annotations).toMatchObject({ service: "cvm", action: "DescribeZones", requestId: "req-drift", path: "ZoneSet[1].ZoneName", resolution: "missing" })
    }))

  it.effect("each record is an event on the current span", () =>
    Effect.gen(function* () {
      const { layer } = answering(drifted)
      const events = yield* Effect.gen(function* () {
        yield* Cvm.describeZones().pipe(Effect.provide(layer))
        const span = yield* Effect.currentSpan
        return (span as unknown as { events: Array<[string, bigint, Record<string, unknown>]> }).events
      }).pipe(Effect.withSpan("app"))
      expect(events.map((e) => e[0])).toEqual(Array(5).fill("tencentcloud.drift"))
      expect(events[1][2]).toMatchObject({ "tencentcloud.action": "DescribeZones", "tencentcloud.drift.path": "ZoneSet[0].ZoneId", "tencentcloud.request_id": "req-drift" })
    }))

  it.effect("the counter tencentcloud_drift_total counts records by service and action", () =>
    Effect.gen(function* () {
      const c = Drift.metric.pipe(Metric.tagged("service", "cvm"), Metric.tagged("action", "DescribeZones"))
      const before = (yield* Metric.value(c)).count
      const { layer } = answering(drifted)
      yield* Cvm.describeZones().pipe(Effect.provide(layer))
      yield* Cvm.describeZones().pipe(Effect.provide(layer))
      expect((yield* Metric.value(c)).count - before).toBe(10)
    }))

  it.effect("records are published to Drift.layerPubSub's subscribers, as a queue or a stream", () =>
    Effect.gen(function* () {
      const { layer } = answering(drifted)
      const call = Cvm.describeZones().pipe(Effect.provide(layer))
      const [fromQueue, fromStream] = yield* Effect.scoped(
        Effect.gen(function* () {
          const q = yield* Drift.subscribe
          // the stream subscribes when it starts: call until it has its 5 records
          const fiber = yield* Effect.fork(Stream.runCollect(Stream.take(Drift.stream, 5)))
          yield* call
          const first = Chunk.toReadonlyArray(yield* Queue.takeAll(q))
          while ((yield* fiber.poll)._tag === "None") yield* Effect.zipRight(call, Effect.yieldNow())
          return [first, Chunk.toReadonlyArray(yield* Effect.flatten(fiber.await))] as const
        })
      ).pipe(Effect.provide(Drift.layerPubSub))
      expect(fromQueue).toEqual(expectedRecords)
      expect(fromStream).toHaveLength(5)
      for (const r of fromStream) expect(expectedRecords).toContainEqual(r)
    }))

  it.effect("a list item that cannot be decoded is set aside, and paging still counts it", () =>
    Effect.gen(function* () {
      const sent: Array<unknown> = []
      const pages = [
        { TotalCount: 3, InstanceSet: [{ InstanceId: "i-1" }, "garbage"], RequestId: "p1" },
        { TotalCount: 3, InstanceSet: [{ InstanceId: "i-3" }], RequestId: "p2" }
      ]
      const layer = Layer.succeed(TencentCloud, {
        call: (_i, params) => Effect.sync(() => (sent.push(params), structuredClone(pages[sent.length - 1]))),
        stream: () => Stream.empty
      })
      const items = yield* Stream.runCollect(Cvm.describeInstancesItems({ Limit: 2 })).pipe(Effect.provide(layer))
      expect(Chunk.toReadonlyArray(items).map((i) => i.InstanceId)).toEqual(["i-1", "i-3"])
      expect(sent).toEqual([{ Limit: 2 }, { Limit: 2, Offset: 2 }])
    }))
})

describe("strict mode", () => {
  it.effect("fails with ResponseDecodeError naming every mismatch (layer)", () =>
    Effect.gen(function* () {
      const { layer } = answering(drifted)
      const e = yield* Effect.flip(Cvm.describeZones().pipe(Effect.provide(layer), Effect.provide(Drift.layerStrict)))
      expect(e._tag).toBe("ResponseDecodeError")
      if (e._tag !== "ResponseDecodeError") return
      expect(e.requestId).toBe("req-drift")
      expect(e.mismatches).toEqual(expectedRecords.map(({ path, expected, got }) => ({ path, expected, got })))
      for (const r of expectedRecords) expect(e.message).toContain(r.path)
      expect(e.message).toContain("5 places")
      expect(e.message).not.toContain("codegen")
    }))

  it.effect("per call: Drift.withStrict; and withStrict(false) inside a strict scope is tolerant", () =>
    Effect.gen(function* () {
      const { layer } = answering(drifted)
      const strict = yield* Effect.either(Drift.withStrict(Cvm.describeZones()).pipe(Effect.provide(layer)))
      expect(strict._tag).toBe("Left")
      const tolerant = yield* Drift.withStrict(Cvm.describeZones(), false).pipe(Effect.provide(layer), Effect.provide(Drift.layerStrict))
      expect(tolerant.TotalCount).toBe(2)
    }))

  it.effect("Testing mocks are strict by default; Drift.layerTolerant decodes them tolerantly", () =>
    Effect.gen(function* () {
      const mock = Testing.layer({ "cvm.DescribeZones": () => Effect.succeed({ TotalCount: "1", ZoneSet: [] }) })
      const e = yield* Effect.flip(Cvm.describeZones().pipe(Effect.provide(mock)))
      expect(e._tag).toBe("ResponseDecodeError")
      const ok = yield* Cvm.describeZones().pipe(Effect.provide(mock), Effect.provide(Drift.layerTolerant))
      expect(ok.TotalCount).toBe(1)
    }))
})

describe("requests", () => {
  it.effect("exact-meaning forms are sent as the values they mean: numeric text, \"true\", null for an optional member", () =>
    Effect.gen(function* () {
      const { sent, layer } = answering({ TotalCount: 0, InstanceSet: [], RequestId: "r" })
      const loose: any = { Limit: "10", Offset: "0", Filters: null, InstanceIds: ["ins-1"] }
      yield* Cvm.describeInstances(loose).pipe(Effect.provide(layer))
      expect(sent).toEqual([{ Limit: 10, Offset: 0, InstanceIds: ["ins-1"] }])
      const keys = answering({ RequestId: "r" })
      const force: any = { InstanceIds: ["ins-1"], KeyIds: ["skey-1"], ForceStop: "true" }
      yield* Cvm.associateInstancesKeyPairs(force).pipe(Effect.provide(keys.layer))
      expect(keys.sent).toEqual([{ InstanceIds: ["ins-1"], KeyIds: ["skey-1"], ForceStop: true }])
    }))

  it.effect("strict mode refuses them, naming each; nothing is sent", () =>
    Effect.gen(function* () {
      const { sent, layer } = answering({ TotalCount: 0, InstanceSet: [], RequestId: "r" })
      const loose: any = { Limit: "10", Offset: "0", Filters: null }
      const e = yield* Effect.flip(Drift.withStrict(Cvm.describeInstances(loose)).pipe(Effect.provide(layer)))
      expect(e._tag).toBe("RequestValidationError")
      if (e._tag !== "RequestValidationError") return
      expect(e.problems?.map((p) => p.field)).toEqual(["Filters", "Offset", "Limit"])
      expect(sent).toEqual([])
    }))

  it.effect("RequestValidationError lists every problem, not just the first", () =>
    Effect.gen(function* () {
      const { sent, layer } = answering({ RequestId: "r" })
      const bad: any = { Limit: "ten", Offset: 1.5, Filters: [{ Name: "zone", Values: "ap-guangzhou-3" }], limit: 5 }
      const e = yield* Effect.flip(Cvm.describeInstances(bad).pipe(Effect.provide(layer)))
      expect(e._tag).toBe("RequestValidationError")
      if (e._tag !== "RequestValidationError") return
      expect(e.problems?.map((p) => p.field)).toEqual(["Filters[0].Values", "Offset", "Limit", "limit"])
      expect(e.field).toBe("Filters[0].Values")
      expect(e.message).toContain("4 problems")
      expect(e.message).toContain("Limit: expected an integer (int64, from -2^63 to 2^63-1), got \"ten\"")
      expect(sent).toEqual([])
    }))
})
