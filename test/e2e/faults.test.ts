/**
 * End-to-end: every fault kind the emulator injects, met by the SDK over real HTTP on loopback
 * (undici, `connectTo`), with the behaviour the SDK promises (docs/retries-and-breaker.md,
 * docs/errors.md): the typed error, the number of attempts (counted by the emulator's request
 * log) and, for a region that is down, the failover of the region breaker to the backup host.
 *
 * Retry delays are shrunk (`base` 5 ms, `throttlingBase` 10 ms) so the suite stays fast; the
 * decisions (what is retried, how many times) are the default policy's.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import * as Errors from "../../src/Errors.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as Vpc from "../../src/generated/vpc/v20170312.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import * as Retry from "../../src/Retry.js"

const FAST = Retry.make({ base: "5 millis", throttlingBase: "10 millis" })
const REGION = "ap-guangzhou"

/** The client pointed at the emulator: real HTTP, demo keys, fast retries. */
const sdk = (
  emu: Emulator.EmulatorHandle,
  options: Client.ClientOptions = {},
  http: Layer.Layer<import("@effect/platform/HttpClient").HttpClient, Errors.RequestValidationError> = UndiciHttpClient.layerDefault
) =>
  Client.layer({ connectTo: emu.endpoint, region: REGION, retryPolicy: FAST, timeout: "3 seconds", ...options }).pipe(
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(http)
  )

const attempts = (emu: Emulator.EmulatorHandle, action: string) => emu.requests.list({ action }).length

/** A request the emulator would answer normally (the instance does not exist: an API error). */
const startMissing = Cvm.startInstances({ InstanceIds: ["ins-00000000"] })

describe("throttling (error RequestLimitExceeded)", () => {
  it.scopedLive("RequestLimitExceeded ×2 then success: 3 attempts, success", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "cvm", action: "DescribeInstances", times: 2, fault: { kind: "error", code: "RequestLimitExceeded" } })
      const r = yield* Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu)))
      expect(r.TotalCount).toBe(0)
      const log = emu.requests.list({ action: "DescribeInstances" })
      expect(log.map((x) => x.response.code)).toEqual(["RequestLimitExceeded", "RequestLimitExceeded", undefined])
    })
  )

  it.scopedLive("throttling is retried even for an unsafe action (CreateVpc): nothing ran; one VPC is created", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "CreateVpc", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
      const before = emu.state.vpcs(REGION).length
      const r = yield* Vpc.createVpc({ VpcName: "throttled", CidrBlock: "10.1.0.0/16" }).pipe(Effect.provide(sdk(emu)))
      expect(r.Vpc?.VpcName).toBe("throttled")
      expect(attempts(emu, "CreateVpc")).toBe(2)
      expect(emu.state.vpcs(REGION).length).toBe(before + 1)
    })
  )

  it.scopedLive("throttling that never stops: ApiError RequestLimitExceeded after 4 attempts (3 retries)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "error", code: "RequestLimitExceeded" } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(e._tag).toBe("RequestLimitExceeded")
      expect(Errors.isThrottling(e)).toBe(true)
      expect(attempts(emu, "DescribeInstances")).toBe(4)
    })
  )
})

describe("error InternalError", () => {
  it.scopedLive("InternalError: ApiError InternalError after 1 attempt, not retried even for a Describe*", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "error", code: "InternalError" } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(Errors.isApiError(e)).toBe(true)
      expect(e).toMatchObject({ _tag: "InternalError", code: "InternalError", action: "DescribeInstances" })
      expect((e as Errors.ApiError).requestId).toBe(emu.requests.last()?.response.requestId)
      expect(attempts(emu, "DescribeInstances")).toBe(1)
    })
  )

  it.scopedLive("a code the action does not declare arrives as UnknownApiError carrying the code, not retried", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "error", code: "FailedOperation.SomethingNew" } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "UnknownApiError", code: "FailedOperation.SomethingNew" })
      expect(attempts(emu, "DescribeInstances")).toBe(1)
    })
  )
})

describe("http 500/502/503 with an HTML page", () => {
  for (const status of [500, 502, 503]) {
    it.scopedLive(`HTTP ${status}: retried for DescribeInstances, HttpStatusError ${status} with a bounded excerpt after 4 attempts`, () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.make()
        const page = `<html><head><title>${status}</title></head><body>${"<p>gateway trouble</p>".repeat(200)}</body></html>`
        emu.faults.add({ action: "DescribeInstances", fault: { kind: "http", status, body: page } })
        const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
        expect(e._tag).toBe("HttpStatusError")
        const h = e as Errors.HttpStatusError
        expect(h.status).toBe(status)
        expect(h.requestId).toBeUndefined()
        expect(h.bodyExcerpt.startsWith("<html><head>")).toBe(true)
        expect(page.length).toBeGreaterThan(4000)
        expect(h.bodyExcerpt.length).toBeLessThanOrEqual(513) // 512 characters and an ellipsis
        expect(Errors.isTransport(e)).toBe(true)
        expect(attempts(emu, "DescribeInstances")).toBe(4)
        expect(emu.requests.list({ action: "DescribeInstances" }).every((r) => r.response.status === status)).toBe(true)
      })
    )
  }

  it.scopedLive("HTTP 503 with the emulator's default nginx page: the excerpt shows the page", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "http", status: 503 } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "HttpStatusError", status: 503 })
      expect((e as Errors.HttpStatusError).bodyExcerpt).toMatch(/<html/i)
    })
  )

  it.scopedLive("HTTP 502 for StartInstances (unsafe: no ClientToken, not read-only): 1 attempt, HttpStatusError", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "StartInstances", fault: { kind: "http", status: 502 } })
      const e = yield* Effect.flip(startMissing.pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "HttpStatusError", status: 502 })
      expect(attempts(emu, "StartInstances")).toBe(1)
    })
  )

  it.scopedLive("HTTP 500 for CreateVpc (unsafe): 1 attempt, no retry", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "CreateVpc", fault: { kind: "http", status: 500 } })
      const e = yield* Effect.flip(Vpc.createVpc({ VpcName: "x", CidrBlock: "10.2.0.0/16" }).pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "HttpStatusError", status: 500 })
      expect(attempts(emu, "CreateVpc")).toBe(1)
    })
  )

  it.scopedLive("HTTP 503 for RunInstances: safe by its ClientToken (filled by the client), so retried: 2 attempts, success", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "RunInstances", times: 1, fault: { kind: "http", status: 503 } })
      const r = yield* Cvm.runInstances({ InstanceCount: 3, Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89" }).pipe(
        Effect.provide(sdk(emu))
      )
      expect(r.InstanceIdSet).toHaveLength(3)
      expect(emu.requests.list({ action: "RunInstances" }).map((x) => x.response.status)).toEqual([503, 200])
      expect(emu.state.instances(REGION)).toHaveLength(3)
    })
  )

  it.scopedLive("RunInstances ran but its answer was cut: retried with the same ClientToken, so 3 instances, not 6", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "RunInstances", times: 1, fault: { kind: "truncate" } })
      const r = yield* Cvm.runInstances({ InstanceCount: 3, Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89" }).pipe(
        Effect.provide(sdk(emu))
      )
      const log = emu.requests.list({ action: "RunInstances" })
      expect(log.map((x) => x.fault)).toEqual(["truncate", undefined])
      const tokens = log.map((x) => (x.params as any)?.ClientToken)
      expect(typeof tokens[0]).toBe("string")
      expect(tokens[1]).toBe(tokens[0])
      expect(emu.state.instances(REGION)).toHaveLength(3)
      expect([...r.InstanceIdSet!].sort()).toEqual(emu.state.instances(REGION).map((i: any) => i.InstanceId).sort())
    })
  )

  it.scopedLive("HTTP 503 for RunInstances with Retry.none (the policy can make it unsafe): 1 attempt", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "RunInstances", fault: { kind: "http", status: 503 } })
      const e = yield* Effect.flip(
        Cvm.runInstances({ Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89" }).pipe(
          Retry.withRetryPolicy(Retry.none),
          Effect.provide(sdk(emu))
        )
      )
      expect(e).toMatchObject({ _tag: "HttpStatusError", status: 503 })
      expect(attempts(emu, "RunInstances")).toBe(1)
    })
  )
})

describe("reset before the answer", () => {
  it.scopedLive("reset ×2 for DescribeInstances: NetworkError retried (safe), success on attempt 3", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", times: 2, fault: { kind: "reset" } })
      const r = yield* Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu)))
      expect(r.TotalCount).toBe(0)
      expect(emu.requests.list({ action: "DescribeInstances" }).map((x) => x.response.status)).toEqual([0, 0, 200])
    })
  )

  it.scopedLive("reset always: NetworkError (Reset) after 4 attempts", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "reset" } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(e._tag).toBe("NetworkError")
      expect((e as Errors.NetworkError).reason).toBe("Reset")
      expect(attempts(emu, "DescribeInstances")).toBe(4)
    })
  )

  it.scopedLive("reset for StartInstances (unsafe): NetworkError after 1 attempt", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "StartInstances", fault: { kind: "reset" } })
      const e = yield* Effect.flip(startMissing.pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "NetworkError", reason: "Reset" })
      expect(attempts(emu, "StartInstances")).toBe(1)
    })
  )
})

describe("reset in the middle of the body", () => {
  it.scopedLive("resetMidBody always for DescribeInstances: NetworkError Reset, retried (4 attempts)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "resetMidBody" } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "NetworkError", reason: "Reset" })
      expect(attempts(emu, "DescribeInstances")).toBe(4)
    })
  )

  it.scopedLive("resetMidBody once for CreateVpc (unsafe): NetworkError Reset after 1 attempt, and the VPC was created", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "CreateVpc", times: 1, fault: { kind: "resetMidBody" } })
      const before = emu.state.vpcs(REGION).length
      const e = yield* Effect.flip(Vpc.createVpc({ VpcName: "half", CidrBlock: "10.3.0.0/16" }).pipe(Effect.provide(sdk(emu))))
      expect(e).toMatchObject({ _tag: "NetworkError", reason: "Reset" })
      expect(attempts(emu, "CreateVpc")).toBe(1)
      // why it must not be retried: the action ran
      expect(emu.state.vpcs(REGION).length).toBe(before + 1)
    })
  )
})

describe("truncated JSON", () => {
  it.scopedLive("truncate once for DescribeInstances: ResponseParseError retried (safe), success on attempt 2", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", times: 1, fault: { kind: "truncate" } })
      const r = yield* Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu)))
      expect(r.TotalCount).toBe(0)
      expect(attempts(emu, "DescribeInstances")).toBe(2)
    })
  )

  it.scopedLive("truncate always: ResponseParseError ('cut short') after 4 attempts", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "truncate" } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(e._tag).toBe("ResponseParseError")
      const p = e as Errors.ResponseParseError
      expect(p.status).toBe(200)
      expect(p.message).toContain("cut short")
      expect(p.bodyExcerpt.startsWith("{\"Response\"")).toBe(true)
      expect(attempts(emu, "DescribeInstances")).toBe(4)
    })
  )

  it.scopedLive("truncate for CreateVpc (unsafe): ResponseParseError after 1 attempt", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "CreateVpc", fault: { kind: "truncate" } })
      const e = yield* Effect.flip(Vpc.createVpc({ VpcName: "cut", CidrBlock: "10.4.0.0/16" }).pipe(Effect.provide(sdk(emu))))
      expect(e._tag).toBe("ResponseParseError")
      expect(attempts(emu, "CreateVpc")).toBe(1)
    })
  )
})

describe("slow body and latency", () => {
  it.scopedLive("slowBody longer than the timeout: TimeoutError at the timeout, and the request is aborted", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "slowBody", ms: 3000 } })
      const dispatcher = UndiciHttpClient.makeDispatcher({})
      yield* Effect.addFinalizer(() => Effect.promise(() => dispatcher.close().catch(() => undefined)))
      const layer = sdk(emu, { timeout: "300 millis" }, UndiciHttpClient.layer({ dispatcher }))
      const t0 = Date.now()
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Retry.withRetryPolicy(Retry.none), Effect.provide(layer)))
      const elapsed = Date.now() - t0
      expect(e).toMatchObject({ _tag: "TimeoutError", timeoutMillis: 300 })
      expect(elapsed).toBeGreaterThanOrEqual(290)
      expect(elapsed).toBeLessThan(2000)
      expect(attempts(emu, "DescribeInstances")).toBe(1)
      // aborted: undici holds no running request or open connection for the emulator any more
      // (a request left running would keep its connection busy until the body ends, 3 s later)
      yield* Effect.sleep("50 millis")
      const stats = (dispatcher as any).stats[new URL(emu.endpoint).origin]
      expect(stats?.running ?? 0).toBe(0)
      expect(stats?.connected ?? 0).toBe(0)
    })
  )

  it.scopedLive("slowBody longer than the timeout, default policy: retried as safe, TimeoutError after 4 attempts", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "slowBody", ms: 2000 } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu, { timeout: "150 millis" }))))
      expect(e._tag).toBe("TimeoutError")
      expect(attempts(emu, "DescribeInstances")).toBe(4)
    })
  )

  it.scopedLive("slowBody shorter than the timeout: success (the body is read to its end)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "slowBody", ms: 200 } })
      const t0 = Date.now()
      const r = yield* Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu, { timeout: "2 seconds" })))
      expect(r.TotalCount).toBe(0)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150)
      expect(attempts(emu, "DescribeInstances")).toBe(1)
    })
  )

  it.scopedLive("latency below the timeout: success, 1 attempt, the delay observed", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "latency", ms: 150 } })
      const t0 = Date.now()
      const r = yield* Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu, { timeout: "2 seconds" })))
      expect(r.TotalCount).toBe(0)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
      expect(attempts(emu, "DescribeInstances")).toBe(1)
    })
  )

  it.scopedLive("latency above the timeout for StartInstances (unsafe): TimeoutError after 1 attempt", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "StartInstances", fault: { kind: "latency", ms: 1000 } })
      const e = yield* Effect.flip(startMissing.pipe(Effect.provide(sdk(emu, { timeout: "200 millis" }))))
      expect(e).toMatchObject({ _tag: "TimeoutError", timeoutMillis: 200 })
      expect(Errors.isTransport(e)).toBe(true)
      yield* Effect.sleep("900 millis")
      expect(attempts(emu, "StartInstances")).toBe(1)
    })
  )
})

describe("wrong content type", () => {
  it.scopedLive("Content-Type text/html on a valid JSON envelope: ignored, the SDK parses by content and succeeds (1 attempt)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "contentType" } })
      const r = yield* Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu)))
      expect(r.TotalCount).toBe(0)
      expect(attempts(emu, "DescribeInstances")).toBe(1)
    })
  )

  it.scopedLive("Content-Type text/plain on an API error envelope: the typed ApiError still arrives", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "StartInstances", fault: { kind: "contentType", contentType: "text/plain" } })
      const e = yield* Effect.flip(startMissing.pipe(Effect.provide(sdk(emu))))
      expect(e._tag).toBe("InvalidInstanceId.NotFound")
    })
  )

  it.scopedLive("Content-Type text/event-stream on a non-streaming call: ResponseParseError pointing at the streaming variant, permanent (not retried)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ action: "DescribeInstances", fault: { kind: "contentType", contentType: "text/event-stream" } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu))))
      expect(e._tag).toBe("ResponseParseError")
      expect(e.message).toContain("server-sent event stream")
      // the same request gets the same stream: asking again cannot help (issue 14 item 8)
      expect(attempts(emu, "DescribeInstances")).toBe(1)
    })
  )
})

describe("a region down by host: the region breaker", () => {
  const PRIMARY = "cvm.ap-shanghai.tencentcloudapi.com"
  const BACKUP = "cvm.ap-guangzhou.tencentcloudapi.com"

  it.scopedLive("opens after 5 failed attempts; the retry after it opens and later calls go to the backup host and succeed", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ host: "*.ap-shanghai.tencentcloudapi.com", fault: { kind: "http", status: 503 } })
      const layer = sdk(emu, {
        region: "ap-shanghai",
        regionalEndpoint: true,
        breaker: { backupEndpoint: "ap-guangzhou.tencentcloudapi.com", timeout: "30 seconds" }
      })
      yield* Effect.gen(function* () {
        // call 1: 4 attempts at the primary, all 503 (4 failures: still closed)
        const e = yield* Effect.flip(Cvm.describeInstances({}))
        expect(e).toMatchObject({ _tag: "HttpStatusError", status: 503, endpoint: PRIMARY })
        // call 2: its first attempt is failure 5 in a row: the breaker opens; its retry goes to the backup
        const r = yield* Cvm.describeInstances({})
        expect(r.TotalCount).toBe(0)
        // call 3: straight to the backup
        yield* Cvm.describeInstances({})
        // a write too (the backup takes every action of the service)
        const run = yield* Cvm.runInstances({ Placement: { Zone: "ap-shanghai-2" }, ImageId: "img-eb30mz89" })
        expect(run.InstanceIdSet).toHaveLength(1)
      }).pipe(Effect.provide(layer))
      const hosts = emu.requests.list({ service: "cvm" }).map((x) => `${x.action}@${x.host}:${x.response.status}`)
      expect(hosts).toEqual([
        ...Array.from({ length: 5 }, () => `DescribeInstances@${PRIMARY}:503`),
        `DescribeInstances@${BACKUP}:200`,
        `DescribeInstances@${BACKUP}:200`,
        `RunInstances@${BACKUP}:200`
      ])
      // the region of the calls is unchanged (X-TC-Region), only the host moved
      expect(emu.requests.list({ service: "cvm" }).every((x) => x.region === "ap-shanghai")).toBe(true)
      expect(emu.state.instances("ap-shanghai")).toHaveLength(1)
    })
  )

  it.scopedLive("after the cool-down the primary is probed again (half-open) and, healthy, closes the breaker", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const down = emu.faults.add({ host: PRIMARY, fault: { kind: "reset" } })
      const layer = sdk(emu, {
        region: "ap-shanghai",
        regionalEndpoint: true,
        breaker: { backupEndpoint: "ap-guangzhou.tencentcloudapi.com", timeout: "300 millis", maxRequests: 1 }
      })
      yield* Effect.gen(function* () {
        // one call with 5 retries: 5 resets at the primary open the breaker, the 6th attempt uses the backup
        yield* Cvm.describeInstances({}).pipe(Retry.withRetryPolicy(Retry.make({ maxRetries: 5, base: "5 millis" })))
        emu.faults.remove(down)
        yield* Effect.sleep("400 millis")
        yield* Cvm.describeInstances({}) // half-open probe at the primary: success closes it (maxRequests 1)
        yield* Cvm.describeInstances({}) // closed: primary
      }).pipe(Effect.provide(layer))
      const hosts = emu.requests.list({ action: "DescribeInstances" }).map((x) => x.host)
      expect(hosts).toEqual([...Array.from({ length: 5 }, () => PRIMARY), BACKUP, PRIMARY, PRIMARY])
    })
  )

  it.scopedLive("without the breaker a region down stays down: HttpStatusError after 4 attempts, all at the primary", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ host: "*.ap-shanghai.*", fault: { kind: "http", status: 503 } })
      const e = yield* Effect.flip(Cvm.describeInstances({}).pipe(Effect.provide(sdk(emu, { region: "ap-shanghai", regionalEndpoint: true }))))
      expect(e).toMatchObject({ _tag: "HttpStatusError", status: 503 })
      expect(emu.requests.list({ action: "DescribeInstances" }).map((x) => x.host)).toEqual(Array.from({ length: 4 }, () => PRIMARY))
    })
  )
})
