/**
 * Testing an application with mocked layers: no emulator, no HTTP.
 *
 * Generated actions need one service, `TencentCloud` (`{ call, stream }`). Replace it with
 * `Layer.succeed(TencentCloud, ...)` and the application runs against canned answers. The
 * generated action still does its own work around the mock: it validates the request (a bad one
 * never reaches the mock) and decodes the mock's answer with the real response schema. Decoding
 * is tolerant by default (real answers drift from the specs); run tests in strict mode
 * (`Drift.layerStrict`) and a mock that does not look like the API fails the test with a
 * `ResponseDecodeError` naming every mismatch, instead of passing while production breaks.
 * `Testing` mocks are strict by default and fill the members they leave out.
 *
 * `effect-tencentcloud/Testing` packages this (`Testing.layer`, `Testing.mockService`,
 * `Testing.mockActions`, `Testing.mockAction`); the first tests below build the mock by hand to
 * show there is nothing more to it. One level down, a mock `HttpClient` keeps the whole client
 * (signing, envelope, error mapping) and fakes only the wire.
 *
 * Written as small tests with `node:assert`; in vitest the bodies are the same
 * (`it.effect("...", () => Effect.gen(...).pipe(Effect.provide(Mock)))` with `@effect/vitest`).
 *
 * Run: `npx tsx examples/testing-with-mocks.ts`
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Chunk, Effect, Layer, Stream } from "effect"
import * as assert from "node:assert/strict"
import * as Client from "effect-tencentcloud/Client"
import * as Credentials from "effect-tencentcloud/Credentials"
import * as Drift from "effect-tencentcloud/Drift"
import * as Errors from "effect-tencentcloud/Errors"
import * as Cvm from "effect-tencentcloud/cvm/v20170312"
import * as Testing from "effect-tencentcloud/Testing"
import { runMain } from "./_main.js"

// -------------------------------------------------------------------------------------------------
// the application under test

/** The zones where instances can be launched now. */
export const availableZones = Cvm.describeZones({}).pipe(
  Effect.map((r) => (r.ZoneSet ?? []).filter((z) => z.ZoneState === "AVAILABLE").map((z) => z.Zone))
)

/** Stop an instance; one that no longer exists is fine. */
export const stopIfExists = (instanceId: string) =>
  Cvm.stopInstances({ InstanceIds: [instanceId] }).pipe(
    Effect.as("stopping" as const),
    Effect.catchTag("InvalidInstanceId.NotFound", () => Effect.succeed("already gone" as const))
  )

/** The ids of instances named `name`, across pages. */
export const idsNamed = (name: string, pageSize: number) =>
  Cvm.describeInstancesItems({ Limit: pageSize, Filters: [{ Name: "instance-name", Values: [name] }] }).pipe(
    Stream.map((i) => i.InstanceId),
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray)
  )

// -------------------------------------------------------------------------------------------------
// a mock TencentCloud

type Answer = Record<string, unknown>
type Handler = (params: Readonly<Record<string, unknown>>, info: Client.ActionInfo) => Effect.Effect<Answer, Client.CallError>

/** A `TencentCloud` answering from a map `"Action" → handler`, and recording what it was asked. */
const mockTencentCloud = (handlers: Record<string, Handler>) => {
  const calls: Array<{ action: string; params: Readonly<Record<string, unknown>> }> = []
  const layer = Layer.succeed(Client.TencentCloud, {
    call: (info, params) => {
      calls.push({ action: info.action, params })
      const handler = handlers[info.action]
      return handler
        ? Effect.map(handler(params, info), (answer) => ({ RequestId: "mock-request", ...answer }))
        : Effect.fail(apiError(info, "InvalidAction", `no mock for ${info.action}`))
    },
    stream: (info) => Stream.fail(apiError(info, "InvalidAction", `no streaming mock for ${info.action}`))
  })
  return { layer, calls }
}

/** An API error as the real client builds it: `_tag` is the code, so `catchTag` works on it. */
const apiError = (info: Client.ActionInfo, code: string, serverMessage: string) =>
  new Errors.ApiError({ code, serverMessage, requestId: "mock-request", service: info.service, version: info.version, action: info.action })

const zone = (name: string, state: string) => ({ Zone: name, ZoneName: name, ZoneId: "100003", ZoneState: state })

// -------------------------------------------------------------------------------------------------
// the tests

/** Each test may return a line to show under its name. */
export const tests: Record<string, Effect.Effect<string | void, unknown>> = {
  "answers from the mock, decoded with the real schema": Effect.gen(function* () {
    const mock = mockTencentCloud({
      DescribeZones: () => Effect.succeed({ TotalCount: 2, ZoneSet: [zone("ap-guangzhou-3", "AVAILABLE"), zone("ap-guangzhou-4", "UNAVAILABLE")] })
    })
    const zones = yield* availableZones.pipe(Effect.provide(mock.layer))
    assert.deepEqual(zones, ["ap-guangzhou-3"])
    assert.deepEqual(mock.calls, [{ action: "DescribeZones", params: {} }])
  }),

  "a typed error from the mock is handled by its code": Effect.gen(function* () {
    const mock = mockTencentCloud({
      StopInstances: (params, info) =>
        (params.InstanceIds as Array<string>)[0] === "ins-gone"
          ? Effect.fail(apiError(info, "InvalidInstanceId.NotFound", "The instance `ins-gone` does not exist"))
          : Effect.succeed({})
    })
    assert.equal(yield* stopIfExists("ins-gone").pipe(Effect.provide(mock.layer)), "already gone")
    assert.equal(yield* stopIfExists("ins-here").pipe(Effect.provide(mock.layer)), "stopping")
  }),

  "pagination runs over the mock, page by page": Effect.gen(function* () {
    // the Instance schema has ~40 required members: a typed fixture keeps the mock honest
    const all = ["ins-1", "ins-2", "ins-3"].map((id) => instanceFixture(id, "web"))
    const mock = mockTencentCloud({
      DescribeInstances: (p) => {
        const offset = Number(p.Offset ?? 0)
        return Effect.succeed({ TotalCount: all.length, InstanceSet: all.slice(offset, offset + Number(p.Limit)) })
      }
    })
    const ids = yield* idsNamed("web", 2).pipe(Effect.provide(mock.layer))
    assert.deepEqual(ids, ["ins-1", "ins-2", "ins-3"])
    assert.deepEqual(mock.calls.map((c) => c.params.Offset), [undefined, 2])
  }),

  "a mock that does not match the API fails with ResponseDecodeError in strict mode": Effect.gen(function* () {
    const mock = mockTencentCloud({
      // ZoneName, ZoneId and ZoneState are missing; TotalCount is a string
      DescribeZones: () => Effect.succeed({ TotalCount: "1", ZoneSet: [{ Zone: "ap-guangzhou-3" }] })
    })
    // tolerant by default (real answers drift; the data comes back with drift records) ...
    assert.deepEqual(yield* availableZones.pipe(Effect.provide(mock.layer)), [])
    // ... strict in tests: every mismatch is named
    const error = yield* Effect.flip(availableZones.pipe(Effect.provide(mock.layer), Effect.provide(Drift.layerStrict)))
    assert.equal(error._tag, "ResponseDecodeError")
    assert.deepEqual(error.mismatches?.map((m) => m.path), ["TotalCount", "ZoneSet[0].ZoneName", "ZoneSet[0].ZoneId", "ZoneSet[0].ZoneState"])
    return error.message.split(". strict mode")[0]
  }),

  "a bad request never reaches the mock": Effect.gen(function* () {
    const mock = mockTencentCloud({ StopInstances: () => Effect.succeed({}) })
    const error = yield* Effect.flip(
      Cvm.stopInstances({ InstanceIds: [42] } as unknown as Cvm.StopInstancesRequest).pipe(Effect.provide(mock.layer))
    )
    assert.equal(error._tag, "RequestValidationError")
    assert.equal(mock.calls.length, 0)
    return error.message
  }),

  "the same with Testing.mockService: handlers typed from the generated module": Effect.gen(function* () {
    // the package's ready-made mock: handler requests and answers are typed by the compiler
    const CvmMock = Testing.mockService(Cvm, {
      DescribeZones: () => Effect.succeed({ TotalCount: 1, ZoneSet: [zone("ap-guangzhou-6", "AVAILABLE")] }),
      StopInstances: (request, info) => Effect.fail(apiError(info, "InvalidInstanceId.NotFound", `${request.InstanceIds[0]} does not exist`))
    })
    assert.deepEqual(yield* availableZones.pipe(Effect.provide(CvmMock)), ["ap-guangzhou-6"])
    assert.equal(yield* stopIfExists("ins-gone").pipe(Effect.provide(CvmMock)), "already gone")
    // an action without a handler fails with InvalidAction, naming it
    const unmocked = yield* Effect.flip(Cvm.describeRegions({}).pipe(Effect.provide(CvmMock)))
    assert.equal(unmocked._tag, "InvalidAction")
  }),

  "a mock HttpClient: the real client signs and reads the envelope": Effect.gen(function* () {
    const seen: Array<{ url: string; headers: Readonly<Record<string, string>> }> = []
    const FakeWire = Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request) => {
        seen.push({ url: request.url, headers: request.headers })
        const body = { Response: { Error: { Code: "InvalidInstanceId.NotFound", Message: "gone" }, RequestId: "req-1" } }
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } })))
      })
    )
    const Live = Client.layer({ region: "ap-guangzhou" }).pipe(
      Layer.provide(Credentials.layerStatic({ secretId: "AKIDtest", secretKey: "test-key" })),
      Layer.provide(FakeWire)
    )
    assert.equal(yield* stopIfExists("ins-1").pipe(Effect.provide(Live)), "already gone")
    assert.equal(seen[0].url, "https://cvm.tencentcloudapi.com/")
    assert.equal(seen[0].headers["x-tc-action"], "StopInstances")
    assert.match(seen[0].headers["authorization"], /^TC3-HMAC-SHA256 Credential=AKIDtest\/\d{4}-\d{2}-\d{2}\/cvm\/tc3_request/)
  })
}

/** A complete `Instance`, typed: the compiler lists what a fixture must have. */
const instanceFixture = (InstanceId: string, InstanceName: string): Cvm.Instance => ({
  InstanceId,
  InstanceName,
  Placement: { Zone: "ap-guangzhou-3" },
  InstanceType: "S5.MEDIUM2",
  CPU: 2,
  Memory: 2,
  RestrictState: "NORMAL",
  InstanceChargeType: "POSTPAID_BY_HOUR",
  SystemDisk: { DiskType: "CLOUD_PREMIUM", DiskSize: 50 },
  DataDisks: [],
  PrivateIpAddresses: ["10.0.0.2"],
  PublicIpAddresses: null,
  InternetAccessible: {},
  VirtualPrivateCloud: { VpcId: "vpc-1", SubnetId: "subnet-1" },
  ImageId: "img-pmqg1cw7",
  RenewFlag: "NOTIFY_AND_MANUAL_RENEW",
  CreatedTime: "2025-01-01T00:00:00Z",
  ExpiredTime: "2025-02-01T00:00:00Z",
  OsName: "TencentOS Server 3.1",
  SecurityGroupIds: [],
  LoginSettings: {},
  InstanceState: "RUNNING",
  Tags: [],
  StopChargingMode: "NOT_APPLICABLE",
  Uuid: "6b8f2a4e-0000-4000-8000-000000000001",
  LatestOperation: null,
  LatestOperationState: null,
  LatestOperationRequestId: null,
  DisasterRecoverGroupId: "",
  IPv6Addresses: null,
  CamRoleName: null,
  HpcClusterId: "",
  RdmaIpAddresses: null,
  DedicatedClusterId: "",
  IsolatedSource: "NOTISOLATED",
  DisasterRecoverGroupIds: [],
  LicenseType: "TencentCloud",
  DisableApiTermination: false,
  DefaultLoginUser: "root",
  DefaultLoginPort: 22,
  LatestOperationErrorMsg: null
})

export const main = Effect.gen(function* () {
  for (const [name, test] of Object.entries(tests)) {
    const note = yield* test.pipe(Effect.tapError(() => Effect.sync(() => console.log(`   ✗ ${name}`))))
    console.log(`   ✓ ${name}${note ? `\n       ${note}` : ""}`)
  }
  console.log(`\n${Object.keys(tests).length} passed`)
})

runMain(import.meta, main)
