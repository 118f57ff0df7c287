/**
 * The emulator speaks the API 3.0 protocol: TC3 (POST JSON, GET, multipart, unsigned payload) and
 * v1 (HmacSHA256/HmacSHA1, GET and form POST) signatures verified from the raw request, the
 * cloud's authentication errors, service/version/action resolution, size limits, the envelope, and
 * exact integers beyond 2^53.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Emulator from "../../src/emulator/index.js"
import { call, code, demoCredential, ok, send, specCatalog } from "./helpers.js"

const clock = Emulator.manualClock(Date.UTC(2025, 5, 1, 12, 0, 0))
let emu: Emulator.RunningEmulator

const bigService = Emulator.Catalog.fromSchemas([
  {
    service: "bigs",
    version: "2020-01-01",
    actions: {
      Echo: {
        input: Schema.Struct({ Id: Schema.optional(Schema.Union(Schema.Number, Schema.BigIntFromSelf)) }),
        output: Schema.Struct({ RequestId: Schema.String })
      }
    }
  }
])

beforeAll(async () => {
  emu = await Emulator.start({
    now: clock.now,
    credentials: [Emulator.DEMO_CREDENTIALS, { secretId: "AKIDsecond", secretKey: "second-key" }],
    catalog: Emulator.Catalog.combine(specCatalog(), bigService)
  })
})
afterAll(() => emu.close())

const cvm = { service: "cvm", version: "2017-03-12", region: "ap-guangzhou" } as const

describe("signatures that are correct are accepted", () => {
  it("TC3 POST JSON", async () => {
    const r = ok(await call(emu, { ...cvm, action: "DescribeInstances", params: { Limit: 5 } }))
    expect(r.TotalCount).toBe(0)
    expect(typeof r.RequestId).toBe("string")
  })

  it("TC3 GET (query hashed exactly as sent)", async () => {
    ok(await call(emu, { ...cvm, method: "GET", action: "DescribeInstances", params: { Filters: [{ Name: "zone", Values: ["ap-guangzhou-3", "a b+c"] }], Limit: 5 } }))
  })

  it("TC3 with a Host that includes a port", async () => {
    ok(await call(emu, { ...cvm, host: `cvm.tencentcloudapi.com:${emu.port}`, action: "DescribeInstances" }))
  })

  it("TC3 with UNSIGNED-PAYLOAD", async () => {
    const r = await call(emu, {
      ...cvm,
      action: "DescribeInstances",
      params: { Limit: 1 },
      tamper: (s) => s
    })
    ok(r)
    // sign with unsigned payload through the core signer
    const { signTc3 } = await import("../../src/Signer.js")
    const signed = signTc3(
      { method: "POST", scheme: "http", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "DescribeInstances", region: "ap-guangzhou", params: { Limit: 2 }, unsignedPayload: true },
      demoCredential,
      clock.now() / 1000
    )
    ok(await send(emu, { method: "POST", path: "/", headers: signed.headers, body: signed.body }))
  })

  it("TC3 multipart", async () => {
    const r = await call(emu, {
      service: "cii",
      version: "2021-04-08",
      region: "ap-guangzhou",
      action: "UploadMedicalFile",
      params: { File: new TextEncoder().encode("hello"), FileURL: "https://example.com/x" },
      body: { _tag: "Multipart" }
    })
    expect(code(r)).toBeUndefined()
    expect(emu.requests.last()?.params).toEqual({ File: "<5 bytes>", FileURL: "https://example.com/x" })
  })

  for (const sm of ["HmacSHA256", "HmacSHA1"] as const) {
    for (const method of ["GET", "POST"] as const) {
      it(`v1 ${sm} ${method}`, async () => {
        const r = ok(await call(emu, { ...cvm, signMethod: sm, method, action: "DescribeInstances", params: { Limit: 3, InstanceIds: [] } }))
        expect(r.TotalCount).toBe(0)
        expect(emu.requests.last()?.signatureMethod).toBe(sm)
      })
    }
  }

  it("a second configured key works", async () => {
    ok(await call(emu, { ...cvm, action: "DescribeInstances", credential: { secretId: "AKIDsecond", secretKey: Redacted.make("second-key") } }))
  })
})

describe("authentication failures", () => {
  it("tampered body → AuthFailure.SignatureFailure, with the canonical request in the message", async () => {
    const r = await call(emu, { ...cvm, action: "DescribeInstances", params: { Limit: 5 }, tamper: (s) => ({ ...s, body: '{"Limit":6}' }) })
    expect(r.status).toBe(200)
    expect(code(r)).toBe("AuthFailure.SignatureFailure")
    expect(r.json.Response.Error.Message).toContain("content-type:application/json")
  })

  it("tampered v1 parameter → AuthFailure.SignatureFailure", async () => {
    const r = await call(emu, { ...cvm, method: "GET", signMethod: "HmacSHA256", action: "DescribeInstances", params: { Limit: 5 }, tamper: (s) => ({ ...s, url: s.url.replace("Limit=5", "Limit=6") }) })
    expect(code(r)).toBe("AuthFailure.SignatureFailure")
  })

  it("wrong secret key → AuthFailure.SignatureFailure", async () => {
    const r = await call(emu, { ...cvm, action: "DescribeInstances", credential: { secretId: demoCredential.secretId, secretKey: Redacted.make("nope") } })
    expect(code(r)).toBe("AuthFailure.SignatureFailure")
  })

  it("timestamp more than 5 minutes off → AuthFailure.SignatureExpire (both directions, TC3 and v1)", async () => {
    const now = Math.floor(clock.now() / 1000)
    expect(code(await call(emu, { ...cvm, action: "DescribeInstances", timestamp: now - 301 }))).toBe("AuthFailure.SignatureExpire")
    expect(code(await call(emu, { ...cvm, action: "DescribeInstances", timestamp: now + 301 }))).toBe("AuthFailure.SignatureExpire")
    expect(code(await call(emu, { ...cvm, action: "DescribeInstances", timestamp: now - 299 }))).toBeUndefined()
    expect(code(await call(emu, { ...cvm, signMethod: "HmacSHA1", action: "DescribeInstances", timestamp: now - 400 }))).toBe("AuthFailure.SignatureExpire")
  })

  it("unknown SecretId → AuthFailure.SecretIdNotFound", async () => {
    const r = await call(emu, { ...cvm, action: "DescribeInstances", credential: { secretId: "AKIDunknown", secretKey: Redacted.make("x") } })
    expect(code(r)).toBe("AuthFailure.SecretIdNotFound")
    expect(code(await call(emu, { ...cvm, signMethod: "HmacSHA256", action: "DescribeInstances", credential: { secretId: "AKIDunknown", secretKey: Redacted.make("x") } }))).toBe("AuthFailure.SecretIdNotFound")
  })

  it("malformed Authorization → AuthFailure.InvalidAuthorization; missing → InvalidAuthorization", async () => {
    const r = await call(emu, { ...cvm, action: "DescribeInstances", tamper: (s) => ({ ...s, headers: { ...s.headers, Authorization: "TC3-HMAC-SHA256 garbage" } }) })
    expect(code(r)).toBe("AuthFailure.InvalidAuthorization")
    const r2 = await call(emu, { ...cvm, action: "DescribeInstances", tamper: (s) => { const h = { ...s.headers }; delete h.Authorization; return { ...s, headers: h } } })
    expect(code(r2)).toBe("AuthFailure.InvalidAuthorization")
  })

  it("Authorization: SKIP only for sts AssumeRoleWithWebIdentity", async () => {
    const ok1 = await call(emu, {
      service: "sts", version: "2018-08-13", region: "ap-guangzhou", action: "AssumeRoleWithWebIdentity", skipSign: true,
      params: { ProviderId: "OIDC", WebIdentityToken: "eyJ.x.y", RoleArn: "qcs::cam::uin/100000000001:roleName/oidc", RoleSessionName: "s-1" }
    })
    expect(ok(ok1).Credentials.TmpSecretId).toMatch(/^AKID/)
    const bad = await call(emu, { ...cvm, action: "DescribeInstances", skipSign: true })
    expect(code(bad)).toBe("AuthFailure.InvalidAuthorization")
  })

  it("temporary credentials from STS are accepted with their token until they expire", async () => {
    const r = ok(await call(emu, {
      service: "sts", version: "2018-08-13", region: "ap-guangzhou", action: "AssumeRole",
      params: { RoleArn: "qcs::cam::uin/100000000001:roleName/test", RoleSessionName: "s-2", DurationSeconds: 900 }
    }))
    const temp = { secretId: r.Credentials.TmpSecretId, secretKey: Redacted.make(r.Credentials.TmpSecretKey as string), token: Redacted.make(r.Credentials.Token as string) }
    expect(r.ExpiredTime).toBe(Math.floor(clock.now() / 1000) + 900)
    ok(await call(emu, { ...cvm, action: "DescribeInstances", credential: temp }))
    ok(await call(emu, { ...cvm, signMethod: "HmacSHA256", action: "DescribeInstances", credential: temp }))
    expect(code(await call(emu, { ...cvm, action: "DescribeInstances", credential: { ...temp, token: Redacted.make("wrong") } }))).toBe("AuthFailure.TokenFailure")
    expect(code(await call(emu, { ...cvm, action: "DescribeInstances", credential: { secretId: temp.secretId, secretKey: temp.secretKey } }))).toBe("AuthFailure.TokenFailure")
    const recorded = emu.requests.list({ service: "cvm" }).at(-3)!
    expect(JSON.stringify(recorded)).not.toContain(r.Credentials.Token)
    clock.advance(901_000)
    try {
      expect(code(await call(emu, { ...cvm, action: "DescribeInstances", credential: temp }))).toBe("AuthFailure.TokenFailure")
    } finally {
      clock.advance(-901_000)
    }
  })
})

describe("routing: service, version, action", () => {
  it("service from <service>.<region>.<root> Host, X-TC-Service, or the TC3 credential scope", async () => {
    ok(await call(emu, { ...cvm, host: "cvm.ap-shanghai.tencentcloudapi.com", region: undefined, action: "DescribeInstances" }))
    expect(emu.requests.last()?.region).toBe("ap-shanghai")
    ok(await call(emu, { ...cvm, host: emu.address, headers: { "X-TC-Service": "cvm" }, action: "DescribeInstances" }))
    ok(await call(emu, { ...cvm, host: emu.address, action: "DescribeInstances" }))
    expect(emu.requests.last()?.service).toBe("cvm")
    // v1 has no credential scope: a bare address cannot name the service
    expect(code(await call(emu, { ...cvm, host: emu.address, signMethod: "HmacSHA256", action: "DescribeInstances" }))).toBe("InvalidRequest")
    ok(await call(emu, { ...cvm, host: emu.address, headers: { "X-TC-Service": "cvm" }, signMethod: "HmacSHA256", action: "DescribeInstances" }))
  })

  it("a credential scope for another service → AuthFailure.InvalidAuthorization", async () => {
    const r = await call(emu, { ...cvm, action: "DescribeInstances", host: "vpc.tencentcloudapi.com" })
    expect(code(r)).toBe("AuthFailure.InvalidAuthorization")
  })

  it("unknown action → InvalidAction; unknown version → NoSuchVersion; unknown service → NoSuchProduct", async () => {
    expect(code(await call(emu, { ...cvm, action: "DescribeNothing" }))).toBe("InvalidAction")
    const v = await call(emu, { ...cvm, version: "2099-01-01", action: "DescribeInstances" })
    expect(code(v)).toBe("NoSuchVersion")
    expect(v.json.Response.Error.Message).toContain("2017-03-12")
    expect(code(await call(emu, { ...cvm, service: "nosuchsvc", action: "DescribeX" }))).toBe("NoSuchProduct")
  })

  it("stateful services need a region", async () => {
    expect(code(await call(emu, { ...cvm, region: undefined, action: "DescribeInstances" }))).toBe("MissingParameter")
  })
})

describe("limits and envelope", () => {
  it("GET over 32 KB → RequestSizeLimitExceeded", async () => {
    const r = await call(emu, { ...cvm, method: "GET", action: "DescribeInstances", params: { InstanceIds: Array.from({ length: 1200 }, (_, i) => `ins-${String(i).padStart(8, "0")}`) } })
    expect(code(r)).toBe("RequestSizeLimitExceeded")
  })

  it("v1 POST over 1 MB → AuthFailure.SignatureFailure suggesting TC3", async () => {
    const r = await call(emu, { ...cvm, method: "POST", signMethod: "HmacSHA256", action: "DescribeInstances", params: { InstanceIds: ["x".repeat(1100 * 1024)] } })
    expect(code(r)).toBe("AuthFailure.SignatureFailure")
    expect(r.json.Response.Error.Message).toContain("TC3-HMAC-SHA256")
  })

  it("TC3 POST over 10 MB → RequestSizeLimitExceeded; under it is accepted", async () => {
    const r = await call(emu, { ...cvm, action: "DescribeInstances", params: { InstanceIds: ["x".repeat(10 * 1024 * 1024 + 10)] } })
    expect(code(r)).toBe("RequestSizeLimitExceeded")
    const r2 = await call(emu, { ...cvm, action: "DescribeInstances", params: { InstanceIds: ["x".repeat(2 * 1024 * 1024)] } })
    expect(code(r2)).toBe("InvalidInstanceId.Malformed")
  })

  it("errors are HTTP 200 envelopes with RequestId; the trace id is echoed", async () => {
    const r = await call(emu, { ...cvm, action: "DescribeNothing", headers: { "X-TC-TraceId": "trace-1" } })
    expect(r.status).toBe(200)
    expect(r.headers["content-type"]).toBe("application/json")
    expect(r.headers["x-tc-traceid"]).toBe("trace-1")
    expect(Object.keys(r.json.Response)).toEqual(["Error", "RequestId"])
  })

  it("integers beyond 2^53 are read and written exactly", async () => {
    const r = await call(emu, { service: "bigs", version: "2020-01-01", action: "Echo", params: { Id: 1234567890123456789n } })
    ok(r)
    expect((emu.requests.last()?.params as any).Id).toBe(1234567890123456789n)
    const over = await call(emu, { service: "bigs", version: "2020-01-01", action: "Echo", params: { Id: 2n ** 64n } })
    expect(code(over)).toBe("InvalidParameterValue")
  })

  it("recorded requests redact the signature and tokens", async () => {
    await call(emu, { ...cvm, action: "DescribeInstances", credential: { ...demoCredential, token: Redacted.make("tok-secret") } })
    const last = emu.requests.last()!
    expect(last.headers["x-tc-token"]).toBe("<redacted>")
    expect(last.headers.authorization).toMatch(/Signature=<redacted>$/)
    await call(emu, { ...cvm, method: "GET", signMethod: "HmacSHA1", action: "DescribeInstances", credential: { ...demoCredential, token: Redacted.make("tok-secret") } })
    const v1 = emu.requests.last()!
    expect(v1.query).toContain("Signature=<redacted>")
    expect(v1.query).toContain("Token=<redacted>")
    expect(v1.query).not.toContain("tok-secret")
  })
})
