import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Chunk from "effect/Chunk"
import * as TestClock from "effect/TestClock"
import * as Client from "../src/Client.js"
import { TencentCloud } from "../src/Client.js"
import * as Errors from "../src/Errors.js"
import * as Retry from "../src/Retry.js"
import * as Signer from "../src/Signer.js"
import { apiError, jsonAnswer, makeMockHttp, SECRET_KEY, staticCredentials, TOKEN, type Answer } from "./helpers/mockHttp.js"

const setup = (handler: (req: any, n: number) => Answer, options: Client.ClientOptions = {}, token = false) => {
  const http = makeMockHttp(handler)
  const layer = Client.layer(options).pipe(Layer.provide(Layer.merge(http.layer, staticCredentials(token))))
  return { recorded: http.recorded, layer }
}

const cvm = { service: "cvm", version: "2017-03-12", action: "DescribeInstances" }

describe("headers and signing", () => {
  it.effect("sends the X-TC-* headers and a TC3 signature over the exact bytes sent", () => {
    const { recorded, layer } = setup(() => jsonAnswer({ TotalCount: 0 }), { region: "ap-guangzhou", language: "en-US", headers: { "X-Custom": "client" } }, true)
    return Effect.gen(function* () {
      yield* TestClock.setTime(1_551_113_065_000)
      const out = yield* Client.call("cvm", "2017-03-12", "DescribeInstances", { Limit: 1 }).pipe(Client.withHeaders({ "X-Per-Call": "yes" }))
      expect(out.TotalCount).toBe(0)
      expect(out.RequestId).toBe("req-1")
      const r = recorded[0]
      expect(r.method).toBe("POST")
      expect(r.url).toBe("https://cvm.tencentcloudapi.com/")
      expect(r.headers["host"]).toBe("cvm.tencentcloudapi.com")
      expect(r.headers["x-tc-action"]).toBe("DescribeInstances")
      expect(r.headers["x-tc-version"]).toBe("2017-03-12")
      expect(r.headers["x-tc-timestamp"]).toBe("1551113065")
      expect(r.headers["x-tc-region"]).toBe("ap-guangzhou")
      expect(r.headers["x-tc-language"]).toBe("en-US")
      expect(r.headers["x-tc-token"]).toBe(TOKEN)
      expect(r.headers["x-tc-requestclient"]).toMatch(/^effect-tencentcloud\/\d+\.\d+\.\d+$/)
      expect(r.headers["x-tc-traceid"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(r.headers["x-custom"]).toBe("client")
      expect(r.headers["x-per-call"]).toBe("yes")
      expect(r.body).toBe('{"Limit":1}')
      // recompute the signature from what was sent
      const canonical = Signer.tc3CanonicalRequest({
        method: "POST",
        canonicalQuery: "",
        contentType: r.headers["content-type"],
        host: r.headers["host"],
        payloadHash: Signer.sha256Hex(r.bytes)
      })
      const sts = Signer.tc3StringToSign(1551113065, "cvm", canonical)
      const sig = Signer.tc3Signature(Signer.tc3SigningKey(SECRET_KEY, "2019-02-25", "cvm"), sts)
      expect(r.headers["authorization"]).toBe(
        `TC3-HMAC-SHA256 Credential=AKIDtest/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${sig}`
      )
    }).pipe(Effect.provide(layer))
  })

  it.effect("omits optional headers when unset and keeps a caller's trace id", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}))
    return Effect.gen(function* () {
      yield* Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Client.withHeaders({ "x-tc-traceid": "my-trace" }))
      const h = recorded[0].headers
      expect(h["x-tc-region"]).toBeUndefined()
      expect(h["x-tc-language"]).toBeUndefined()
      expect(h["x-tc-token"]).toBeUndefined()
      expect(h["x-tc-traceid"]).toBe("my-trace")
      expect(recorded[0].body).toBe("{}")
    }).pipe(Effect.provide(layer))
  })

  it.effect("GET puts the flattened parameters in the signed query", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}), { method: "GET" })
    return Effect.gen(function* () {
      yield* Client.call("cvm", "2017-03-12", "DescribeInstances", { InstanceIds: ["ins-1", "ins 2"], Filters: [{ Name: "zone", Values: ["ap-guangzhou-3"] }] })
      const r = recorded[0]
      expect(r.method).toBe("GET")
      expect(r.url).toBe("https://cvm.tencentcloudapi.com/?InstanceIds.0=ins-1&InstanceIds.1=ins%202&Filters.0.Name=zone&Filters.0.Values.0=ap-guangzhou-3")
      expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      expect(r.body).toBe("")
    }).pipe(Effect.provide(layer))
  })

  it.effect("signs with the host actually sent, port included, and the service from the action, not the endpoint", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}), { endpoint: "http://127.0.0.1:4599" })
    return Effect.gen(function* () {
      yield* Client.call("as", "2018-04-19", "DescribeAutoScalingGroups")
      const r = recorded[0]
      expect(r.url).toBe("http://127.0.0.1:4599/")
      expect(r.headers["host"]).toBe("127.0.0.1:4599")
      expect(r.headers["authorization"]).toContain("/as/tc3_request")
    }).pipe(Effect.provide(layer))
  })

  it.effect("connectTo sends to another address while keeping the logical Host and signature", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}), { connectTo: "http://127.0.0.1:4599", region: "ap-shanghai", regionalEndpoint: true })
    return Effect.gen(function* () {
      yield* Client.call("cvm", "2017-03-12", "DescribeZones")
      const r = recorded[0]
      expect(r.url).toBe("http://127.0.0.1:4599/")
      expect(r.headers["host"]).toBe("cvm.ap-shanghai.tencentcloudapi.com")
      expect(r.headers["x-tc-service"]).toBe("cvm")
    }).pipe(Effect.provide(layer))
  })

  it.effect("v1 HmacSHA256 POST sends a signed form body", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}), { signMethod: "HmacSHA256", region: "ap-guangzhou" })
    return Effect.gen(function* () {
      yield* TestClock.setTime(1_465_185_768_000)
      yield* Client.call("cvm", "2017-03-12", "DescribeInstances", { Limit: 1 })
      const r = recorded[0]
      expect(r.headers["content-type"]).toBe("application/x-www-form-urlencoded")
      const params = new URLSearchParams(r.body)
      expect(params.get("Action")).toBe("DescribeInstances")
      expect(params.get("SignatureMethod")).toBe("HmacSHA256")
      expect(params.get("Timestamp")).toBe("1465185768")
      const pairs: Array<[string, string]> = [...params.entries()].filter(([k]) => k !== "Signature")
      const expected = Signer.v1Signature("HmacSHA256", SECRET_KEY, Signer.v1StringToSign("POST", "cvm.tencentcloudapi.com", "/", pairs))
      expect(params.get("Signature")).toBe(expected)
    }).pipe(Effect.provide(layer))
  })
})

describe("lossless JSON", () => {
  it.effect("sends bigint exactly and decodes integers beyond 2^53 exactly", () => {
    const { recorded, layer } = setup(() => ({ body: '{"Response":{"TaskId":446192236330927912,"N":5,"RequestId":"r"}}' }))
    return Effect.gen(function* () {
      const out = yield* Client.call("gme", "2018-07-11", "DescribeTaskInfo", { TaskId: 446192236330927912n })
      expect(recorded[0].body).toBe('{"TaskId":446192236330927912}')
      expect(out.TaskId).toBe(446192236330927912n)
      expect(out.N).toBe(5)
    }).pipe(Effect.provide(layer))
  })
})

describe("errors", () => {
  it.effect("Response.Error becomes an ApiError whose tag is the code", () => {
    const { layer } = setup(() => apiError("ResourceNotFound.InstanceNotFound", "no such instance", "rid-9"))
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeInstances"))
      expect(Errors.isApiError(e)).toBe(true)
      const api = e as Errors.ApiError
      expect(api._tag).toBe("ResourceNotFound.InstanceNotFound")
      expect(api.code).toBe("ResourceNotFound.InstanceNotFound")
      expect(api.requestId).toBe("rid-9")
      expect(api.service).toBe("cvm")
      expect(api.action).toBe("DescribeInstances")
      expect(api.message).toContain("no such instance")
      expect(api.message).toContain("rid-9")
      expect(Errors.isNotFound(api)).toBe(true)
      const handled = yield* Client.call("cvm", "2017-03-12", "DescribeInstances").pipe(
        Effect.catchTag("ResourceNotFound.InstanceNotFound" as any, (e: any) => Effect.succeed({ handled: e.requestId }))
      )
      expect(handled).toEqual({ handled: "rid-9" })
    }).pipe(Effect.provide(layer))
  })

  it.effect("a code outside the action's declared codes is an UnknownApiError; common codes stay ApiErrors", () => {
    const { layer } = setup((_r, n) => apiError(n === 1 ? "FailedOperation.Brand_New" : "InvalidParameter", "new"))
    return Effect.gen(function* () {
      const c = yield* TencentCloud
      const info = { ...cvm, codes: new Set(["InvalidInstanceId.NotFound"]) }
      const e = yield* Effect.flip(c.call(info, {}))
      expect(e._tag).toBe("UnknownApiError")
      expect((e as Errors.UnknownApiError).code).toBe("FailedOperation.Brand_New")
      const common = yield* Effect.flip(c.call(info, {}))
      expect(common._tag).toBe("InvalidParameter")
      expect(Errors.isApiError(common)).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("non-200 without an API body is an HttpStatusError with a bounded excerpt", () => {
    const { layer } = setup(() => ({ status: 502, body: "<html>" + "x".repeat(5000) + "</html>", headers: { "content-type": "text/html" } }))
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "RunInstances"))
      expect(e._tag).toBe("HttpStatusError")
      const h = e as Errors.HttpStatusError
      expect(h.status).toBe(502)
      expect(h.bodyExcerpt.length).toBeLessThanOrEqual(513)
      expect(h.traceId).toMatch(/-/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("non-JSON and truncated answers are ResponseParseErrors", () => {
    const { layer } = setup((_r, n) => (n === 1 ? { body: "<html>hi</html>", headers: { "content-type": "text/html" } } : { body: '{"Response":{"Total' }))
    return Effect.gen(function* () {
      const a = yield* Effect.flip(Client.call("cvm", "2017-03-12", "RunInstances"))
      expect(a._tag).toBe("ResponseParseError")
      const b = yield* Effect.flip(Client.call("cvm", "2017-03-12", "RunInstances"))
      expect(b._tag).toBe("ResponseParseError")
      expect(b.message).toContain("cut short")
    }).pipe(Effect.provide(layer))
  })

  it.effect("transport failures are NetworkErrors naming the reason", () => {
    const { layer } = setup(() => ({ fail: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) }), { retryPolicy: Retry.none })
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "RunInstances"))
      expect(e._tag).toBe("NetworkError")
      expect((e as Errors.NetworkError).reason).toBe("Connect")
      expect(e.message).toContain("ECONNREFUSED")
    }).pipe(Effect.provide(layer))
  })
})

describe("bad input sends nothing", () => {
  const cases: Array<[string, Client.ClientOptions, string]> = [
    ["unknown language", { language: "fr-FR" as any }, "language"],
    ["method other than GET/POST", { method: "PUT" as any }, "method"],
    ["invalid region string", { region: "Guangzhou" }, "region"],
    ["invalid custom endpoint", { endpoint: "https://cvm.tencentcloudapi.com/v3" }, "endpoint"],
    ["invalid sign method", { signMethod: "MD5" as any }, "signMethod"]
  ]
  for (const [name, options, field] of cases) {
    it.effect(`${name} fails the layer with a named error`, () => {
      const { recorded, layer } = setup(() => jsonAnswer({}), options)
      return Effect.gen(function* () {
        const exit = yield* Effect.exit(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Effect.provide(layer)))
        expect(Exit.isFailure(exit)).toBe(true)
        const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Effect.provide(layer)))
        expect(e._tag).toBe("RequestValidationError")
        expect((e as Errors.RequestValidationError).field).toBe(field)
        expect(e.message).toMatch(/Nothing was sent/)
        expect(recorded.length).toBe(0)
      })
    })
  }

  it.effect("per-call region and language overrides are validated too", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}))
    return Effect.gen(function* () {
      const a = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Client.withRegion("not a region")))
      expect((a as Errors.RequestValidationError).field).toBe("region")
      const b = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Client.withLanguage("de" as any)))
      expect((b as Errors.RequestValidationError).field).toBe("language")
      expect(recorded.length).toBe(0)
      yield* Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Client.withRegion("ap-shanghai"))
      expect(recorded[0].headers["x-tc-region"]).toBe("ap-shanghai")
    }).pipe(Effect.provide(layer))
  })

  it.effect("calls of one action with and without overrides each go where their own settings say (what is kept per action is the client's own)", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}), { region: "ap-guangzhou" })
    return Effect.gen(function* () {
      const zones = Client.call("cvm", "2017-03-12", "DescribeZones")
      yield* zones
      yield* zones.pipe(Client.withRegion("ap-shanghai"), Client.withEndpoint("cvm.ap-shanghai.tencentcloudapi.com"))
      yield* zones
      yield* Client.call("cvm", "2017-03-12", "DescribeRegions")
      expect(recorded.map((r) => [r.url, r.headers["x-tc-region"], r.headers["x-tc-action"]])).toEqual([
        ["https://cvm.tencentcloudapi.com/", "ap-guangzhou", "DescribeZones"],
        ["https://cvm.ap-shanghai.tencentcloudapi.com/", "ap-shanghai", "DescribeZones"],
        ["https://cvm.tencentcloudapi.com/", "ap-guangzhou", "DescribeZones"],
        ["https://cvm.tencentcloudapi.com/", "ap-guangzhou", "DescribeRegions"]
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("a GET request over 32 KB is refused before sending", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}), { method: "GET" })
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeInstances", { InstanceIds: Array.from({ length: 3000 }, (_, i) => `ins-${i}-abcdef`) }))
      expect(e._tag).toBe("RequestValidationError")
      expect(e.message).toContain("32 KB")
      expect(e.message).toContain("POST")
      expect(recorded.length).toBe(0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a v1 POST body over 1 MB is refused and suggests TC3", () => {
    const { recorded, layer } = setup(() => jsonAnswer({}), { signMethod: "HmacSHA1" })
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "ImportKeyPair", { PublicKey: "x".repeat(1_100_000) }))
      expect(e._tag).toBe("RequestValidationError")
      expect(e.message).toContain("TC3-HMAC-SHA256")
      expect(recorded.length).toBe(0)
    }).pipe(Effect.provide(layer))
  })
})

describe("timeouts and interruption", () => {
  it.effect("a request without an answer times out after the timeout and is aborted", () => {
    const { recorded, layer } = setup(() => ({ never: true }), { timeout: "5 seconds", retryPolicy: Retry.none })
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.either(Client.call("cvm", "2017-03-12", "RunInstances")))
      yield* TestClock.adjust("4 seconds")
      expect(recorded.length).toBe(1)
      expect(recorded[0].signal.aborted).toBe(false)
      yield* TestClock.adjust("2 seconds")
      const r = yield* Fiber.join(fiber)
      expect(Either.isLeft(r) && r.left._tag).toBe("TimeoutError")
      expect(recorded[0].signal.aborted).toBe(true)
    }).pipe(Effect.provide(layer))
  })

  it.effect("interrupting the calling fiber aborts the request", () => {
    const { recorded, layer } = setup(() => ({ never: true }))
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Client.call("cvm", "2017-03-12", "DescribeZones"))
      yield* TestClock.adjust("1 second")
      expect(recorded.length).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(recorded[0].signal.aborted).toBe(true)
    }).pipe(Effect.provide(layer))
  })
})

describe("retries through the pipeline", () => {
  it.effect("throttling is retried, each attempt re-signed with a fresh timestamp", () => {
    // throttling delays of 2-4 s, so every attempt falls in a later second
    const { recorded, layer } = setup((_r, n) => (n < 3 ? apiError("RequestLimitExceeded") : jsonAnswer({ ok: true })), {
      retryPolicy: Retry.make({ throttlingBase: "4 seconds" })
    })
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Client.call("cvm", "2017-03-12", "RunInstances"))
      for (let i = 0; i < 20; i++) yield* TestClock.adjust("5 seconds")
      const out = yield* Fiber.join(fiber)
      expect(out.ok).toBe(true)
      expect(recorded.length).toBe(3)
      const ts = recorded.map((r) => Number(r.headers["x-tc-timestamp"]))
      expect(ts[1]).toBeGreaterThan(ts[0])
      expect(recorded[1].headers["authorization"]).not.toBe(recorded[0].headers["authorization"])
      // the same trace id across attempts
      expect(new Set(recorded.map((r) => r.headers["x-tc-traceid"])).size).toBe(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("InternalError is not retried by default; transport errors are not retried for unsafe actions", () => {
    const { recorded, layer } = setup((_r, n) => (n === 1 ? apiError("InternalError") : { fail: Object.assign(new Error("reset"), { code: "ECONNRESET" }) }))
    return Effect.gen(function* () {
      const a = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones"))
      expect(a._tag).toBe("InternalError")
      expect(recorded.length).toBe(1)
      const fiber = yield* Effect.fork(Effect.flip(Client.call("cvm", "2017-03-12", "RunInstances")))
      for (let i = 0; i < 20; i++) yield* TestClock.adjust("5 seconds")
      const b = yield* Fiber.join(fiber)
      expect(b._tag).toBe("NetworkError")
      expect(recorded.length).toBe(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a ClientToken is filled once and reused across attempts of an unsafe action", () => {
    const { recorded, layer } = setup((_r, n) => (n === 1 ? { fail: Object.assign(new Error("reset"), { code: "ECONNRESET" }) } : jsonAnswer({})))
    return Effect.gen(function* () {
      const c = yield* TencentCloud
      const fiber = yield* Effect.fork(c.call({ service: "cvm", version: "2017-03-12", action: "RunInstances", clientToken: true }, { InstanceCount: 1 }))
      for (let i = 0; i < 20; i++) yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
      expect(recorded.length).toBe(2)
      const t0 = JSON.parse(recorded[0].body).ClientToken
      const t1 = JSON.parse(recorded[1].body).ClientToken
      expect(t0).toMatch(/-/)
      expect(t1).toBe(t0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a call that asks for the default policy gets it, even when the client's is none", () => {
    const { recorded, layer } = setup((_r, n) => (n <= 2 ? apiError("RequestLimitExceeded") : jsonAnswer({ ok: true })), { retryPolicy: Retry.none })
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones"))
      expect(e._tag).toBe("RequestLimitExceeded")
      expect(recorded.length).toBe(1)
      const fiber = yield* Effect.fork(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Retry.withRetryPolicy(Retry.defaultPolicy)))
      for (let i = 0; i < 20; i++) yield* TestClock.adjust("5 seconds")
      const out = yield* Fiber.join(fiber)
      expect(out.ok).toBe(true)
      expect(recorded.length).toBe(3)
    }).pipe(Effect.provide(layer))
  })

  it.effect("per-call retry policy wins over the client's", () => {
    const { recorded, layer } = setup(() => apiError("RequestLimitExceeded"))
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Retry.withRetryPolicy(Retry.none)))
      expect(e._tag).toBe("RequestLimitExceeded")
      expect(recorded.length).toBe(1)
    }).pipe(Effect.provide(layer))
  })
})

describe("region breaker in the pipeline", () => {
  it.effect("after the primary fails repeatedly, attempts go to the backup host, signed for it", () => {
    const { recorded, layer } = setup(
      (r) => (r.headers["host"] === "cvm.ap-shanghai.tencentcloudapi.com" ? { status: 503, body: "down", headers: { "content-type": "text/html" } } : jsonAnswer({ ok: true })),
      { region: "ap-shanghai", regionalEndpoint: true, breaker: { backupEndpoint: "ap-guangzhou.tencentcloudapi.com" } }
    )
    return Effect.gen(function* () {
      for (let i = 0; i < 5; i++) {
        const f = yield* Effect.fork(Effect.either(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Retry.withRetryPolicy(Retry.none))))
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(f)
      }
      const out = yield* Client.call("cvm", "2017-03-12", "DescribeZones")
      expect(out.ok).toBe(true)
      const last = recorded[recorded.length - 1]
      expect(last.headers["host"]).toBe("cvm.ap-guangzhou.tencentcloudapi.com")
      expect(last.url).toBe("https://cvm.ap-guangzhou.tencentcloudapi.com/")
    }).pipe(Effect.provide(layer))
  })
})

describe("server-sent events", () => {
  it.effect("a text/event-stream answer becomes a Stream of events", () => {
    const { layer } = setup(() => ({ body: 'data: {"Choices":[{"Delta":{"Content":"你"}}]}\n\ndata: {"Choices":[{"Delta":{"Content":"好"}}]}\n\n', headers: { "content-type": "text/event-stream" } }))
    return Effect.gen(function* () {
      const events = yield* Stream.runCollect(Client.stream("hunyuan", "2023-09-01", "ChatCompletions", { Stream: true }))
      const text = Chunk.toArray(events).map((e) => JSON.parse(e.data).Choices[0].Delta.Content).join("")
      expect(text).toBe("你好")
    }).pipe(Effect.provide(layer))
  })
  it.effect("an API error before streaming fails the stream", () => {
    const { layer } = setup(() => apiError("AuthFailure.SignatureFailure"))
    return Effect.gen(function* () {
      const e = yield* Effect.flip(Stream.runCollect(Client.stream("hunyuan", "2023-09-01", "ChatCompletions", { Stream: true })))
      expect(e._tag).toBe("AuthFailure.SignatureFailure")
    }).pipe(Effect.provide(layer))
  })
})

describe("requirements", () => {
  it("the generic call needs only the client service", () => {
    const program = Client.call("cvm", "2017-03-12", "DescribeZones")
    type R = Effect.Effect.Context<typeof program>
    const check: [R] extends [TencentCloud] ? ([TencentCloud] extends [R] ? true : false) : false = true
    expect(check).toBe(true)
    const withOverrides = program.pipe(Client.withRegion("ap-shanghai"), Client.withLanguage("en-US"), Retry.withRetryPolicy(Retry.none))
    type R2 = Effect.Effect.Context<typeof withOverrides>
    const check2: [R2] extends [TencentCloud] ? ([TencentCloud] extends [R2] ? true : false) : false = true
    expect(check2).toBe(true)
  })
})

describe("configuration from the environment", () => {
  it.effect("layerConfig reads TENCENTCLOUD_* through Config; overrides win; bad values fail with the option named", () =>
    Effect.gen(function* () {
      const http = makeMockHttp(() => jsonAnswer({}))
      const provider = ConfigProvider.fromMap(
        new Map([
          ["TENCENTCLOUD_REGION", "ap-shanghai"],
          ["TENCENTCLOUD_LANGUAGE", "en-US"],
          ["TENCENTCLOUD_REQUEST_METHOD", "GET"],
          ["TENCENTCLOUD_TIMEOUT", "5 seconds"]
        ])
      )
      const layer = Client.layerConfig({ language: "zh-CN" }).pipe(Layer.provide(Layer.merge(http.layer, staticCredentials())))
      yield* Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Effect.provide(layer), Effect.withConfigProvider(provider))
      const h = http.recorded[0].headers
      expect(h["x-tc-region"]).toBe("ap-shanghai")
      expect(h["x-tc-language"]).toBe("zh-CN")
      expect(http.recorded[0].method).toBe("GET")
      const bad = ConfigProvider.fromMap(new Map([["TENCENTCLOUD_REGION", "Shanghai"]]))
      const e = yield* Effect.flip(
        Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Effect.provide(Client.layerConfig().pipe(Layer.provide(Layer.merge(http.layer, staticCredentials())))), Effect.withConfigProvider(bad))
      )
      expect((e as Errors.RequestValidationError).field).toBe("region")
    }))
})
