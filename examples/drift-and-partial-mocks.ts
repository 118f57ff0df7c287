/**
 * Spec drift and partial mocks: what happens when an answer does not match the spec.
 *
 * The specs are not the servers: an answer may lack a member the spec calls required, send a
 * number as text, or carry a member added after this SDK was generated. Here a fake wire (a mock
 * `HttpClient`, so the real client signs and reads the envelope) answers such a DescribeZones:
 *
 * 1. tolerant by default: the call succeeds, `"2"` becomes 2, and each difference is a drift
 *    record given to a listener (also a debug log line, a span event, a counter);
 * 2. the answer as it came, with `Drift.raw`;
 * 3. strict mode (`Drift.withStrict`, or `Drift.layerStrict` for a whole test suite) fails with a
 *    `ResponseDecodeError` naming every mismatch;
 * 4. the records as a stream (`Drift.layerPubSub`);
 * 5. requests: `"10"` for an integer is sent as 10, strict mode refuses it, and a request with
 *    several problems names them all;
 * 6. a partial `Testing` mock: members it leaves out are filled with placeholders.
 *
 * Run: `npx tsx examples/drift-and-partial-mocks.ts`
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Chunk, Effect, Layer, Metric, Stream } from "effect"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Drift from "effect-tencentcloud/Drift"
import * as Testing from "effect-tencentcloud/Testing"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))

// an answer as a real server might send it: TotalCount and a ZoneId as the wrong type, a ZoneName
// missing, a null the spec does not allow, a member added after this SDK was generated
const body = JSON.stringify({
  Response: {
    TotalCount: "2",
    ZoneSet: [
      { Zone: "ap-guangzhou-3", ZoneName: "Guangzhou Zone 3", ZoneId: 100003, ZoneState: "AVAILABLE" },
      { Zone: "ap-guangzhou-4", ZoneId: "100004", ZoneState: null, AddedLater: "2027" }
    ],
    RequestId: "req-drift-1"
  }
})

const sentBodies: Array<string> = []
const FakeWire = Layer.succeed(
  HttpClient.HttpClient,
  HttpClient.make((request) => {
    if (request.body._tag === "Uint8Array") sentBodies.push(new TextDecoder().decode(request.body.body))
    return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { headers: { "content-type": "application/json" } })))
  })
)
const Live = Client.layer({ region: "ap-guangzhou" }).pipe(
  Layer.provide(Credentials.layerStatic({ secretId: "AKIDexample", secretKey: "example-key" })),
  Layer.provide(FakeWire)
)

const main = Effect.gen(function* () {
  // 1. tolerant by default: the data, and one record per difference
  const records: Array<Drift.DriftRecord> = []
  const zones = yield* Drift.withListener(Cvm.describeZones(), (r) => Effect.sync(() => records.push(r)))
  yield* say(`1. tolerant: TotalCount ${zones.TotalCount} (${typeof zones.TotalCount}), zones ${zones.ZoneSet?.map((z) => `${z.Zone}/${z.ZoneId}`).join(", ")}`)
  for (const r of records) yield* say(`   drift ${r.path}: expected ${r.expected}, got ${r.got} (${r.resolution})`)

  // 2. the answer as it came
  const raw = Drift.raw(zones) as { TotalCount: unknown }
  yield* say(`2. Drift.raw(answer).TotalCount came as ${JSON.stringify(raw.TotalCount)}`)

  // 3. strict mode: every mismatch named
  const strict = yield* Effect.flip(Drift.withStrict(Cvm.describeZones()))
  if (strict._tag === "ResponseDecodeError") {
    yield* say(`3. strict: ResponseDecodeError, ${strict.mismatches?.length} mismatches: ${strict.mismatches?.map((m) => m.path).join(", ")}`)
  }

  // 4. the records as a stream, and the counter
  const streamed = yield* Effect.scoped(
    Effect.gen(function* () {
      const queue = yield* Drift.subscribe
      yield* Cvm.describeZones()
      return Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.take(Stream.fromQueue(queue), 5)))
    })
  ).pipe(Effect.provide(Drift.layerPubSub))
  const counted = yield* Metric.value(Drift.metric.pipe(Metric.tagged("service", "cvm"), Metric.tagged("action", "DescribeZones")))
  yield* say(`4. from Drift.layerPubSub: ${streamed.length} records (${streamed[0]?.path}, ...); tencentcloud_drift_total{cvm,DescribeZones} = ${counted.count}`)

  // 5. requests: exact-meaning forms accepted, refused in strict mode; every problem named
  const untyped: any = { Limit: "10", Offset: "0" }
  yield* Cvm.describeInstances(untyped)
  yield* say(`5. {"Limit":"10","Offset":"0"} was sent as ${sentBodies.at(-1)}`)
  const refused = yield* Effect.flip(Drift.withStrict(Cvm.describeInstances(untyped)))
  yield* say(`   strict: ${refused._tag} on ${refused._tag === "RequestValidationError" ? refused.problems?.map((p) => p.field).join(", ") : "?"}`)
  const bad: any = { Limit: "ten", Offset: 1.5, InstanceIds: "ins-1" }
  const all = yield* Effect.flip(Cvm.describeInstances(bad))
  yield* say(`   ${all.message}`)
}).pipe(Effect.provide(Live))

// 6. a partial Testing mock: state only what the test cares about
const partial = Effect.gen(function* () {
  const Mock = Testing.mockService(Cvm, {
    DescribeInstances: () => Effect.succeed({ TotalCount: 1, InstanceSet: [{ InstanceId: "ins-mock", InstanceState: "RUNNING" }] })
  })
  const answer = yield* Cvm.describeInstances({}).pipe(Effect.provide(Mock))
  const i = answer.InstanceSet?.[0]
  yield* say(`6. partial mock: ${i?.InstanceId} ${i?.InstanceState}; filled: CPU ${i?.CPU}, InstanceName ${JSON.stringify(i?.InstanceName)}, Placement ${JSON.stringify(i?.Placement)}`)
  // what a mock does give is checked strictly
  const wrong = Testing.mockService(Cvm, { DescribeInstances: () => Effect.succeed({ TotalCount: 1, InstanceSet: [{ CPU: "two" as unknown as number }] }) })
  const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(wrong)))
  yield* say(`   a mock's wrong member: ${e._tag} at ${e._tag === "ResponseDecodeError" ? e.mismatches?.[0]?.path : "?"}`)
})

runMain(import.meta, Effect.zipRight(main, partial))
