/**
 * End-to-end: the API 2.0 client against the emulator over real HTTP on loopback (undici,
 * `connectTo`): the seed's example (sec CaptchaQuery, HmacSHA256, GET then POST, secret, region
 * and method changed per call), CVM DescribeInstances from state, generateUrl fetched, typed
 * errors from the envelope, faults, temporary credentials, and what never leaves the client.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as http from "node:http"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import * as Emulator from "../../src/emulator/index.js"
import * as Errors from "../../src/Errors.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import { Legacy } from "../../src/legacy/index.js"
import * as UndiciHttpClient from "../../src/node/UndiciHttpClient.js"
import * as Retry from "../../src/Retry.js"

const FAST = Retry.make({ base: "5 millis", throttlingBase: "10 millis", retryOn: Legacy.isRetryable })
const SECOND = { secretId: "AKIDsecondkeyEXAMPLE", secretKey: "second-secret-key" }

const legacy = (emu: Emulator.EmulatorHandle, options: Legacy.LegacyOptions = {}) =>
  Legacy.layer({ connectTo: emu.endpoint, region: "ap-guangzhou", retryPolicy: FAST, timeout: "3 seconds", ...options }).pipe(
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(UndiciHttpClient.layerDefault)
  )

const captcha = { userIp: "127.0.0.1", businessId: 1, captchaType: 1, script: 0 }

/** GET a URL at the emulator with the URL's own Host header (what a browser or curl --resolve does). */
const fetchVia = (emu: Emulator.EmulatorHandle, url: string) =>
  Effect.async<{ status: number; body: string }, Error>((resume) => {
    const u = new URL(url)
    const req = http.request(
      { host: "127.0.0.1", port: emu.port, method: "GET", path: u.pathname + u.search, headers: { Host: u.host } },
      (res) => {
        let body = ""
        res.setEncoding("utf8")
        res.on("data", (c) => (body += c))
        res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body })))
      }
    )
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end()
  })

describe("the seed's example as an Effect program", () => {
  it.scopedLive("CaptchaQuery on sec, HmacSHA256, GET then POST, secret, region and method changed per call", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.addCredential(SECOND)
      const program = Effect.gen(function* () {
        const first = yield* Legacy.call("sec", "CaptchaQuery", captcha).pipe(Client.withMethod("GET"))
        const second = yield* Legacy.call("sec", "CaptchaQuery", captcha).pipe(
          Client.withRegion("ap-shanghai"),
          Client.withMethod("POST"),
          Effect.provide(Credentials.layerStatic(SECOND))
        )
        return [first, second] as const
      }).pipe(Legacy.withSignatureMethod("HmacSHA256"))
      const [first, second] = yield* program.pipe(Effect.provide(legacy(emu)))
      expect(first.code).toBe(0)
      expect(first.codeDesc).toBe("Success")
      expect(String(first.url)).toMatch(/^https:\/\/captcha\.emulator\.invalid\/cap_union_show\?aid=1&captype=1/)
      expect(second.url).toBe(first.url)
      const log = emu.requests.list({ service: "sec" })
      expect(log.map((r) => [r.method, r.host, r.path, r.signatureMethod, r.secretId, r.region])).toEqual([
        ["GET", "csec.api.qcloud.com", "/v2/index.php", "HmacSHA256", Emulator.DEMO_CREDENTIALS.secretId, "ap-guangzhou"],
        ["POST", "csec.api.qcloud.com", "/v2/index.php", "HmacSHA256", SECOND.secretId, "ap-shanghai"]
      ])
      expect(log[0].params).toEqual({ userIp: "127.0.0.1", businessId: "1", captchaType: "1", script: "0" })
      expect(log[0].query).toContain("Signature=<redacted>")
      expect(log[1].query).toBe("")
    })
  )

  it.scopedLive("HmacSHA1 by default; a SignatureMethod or Region parameter wins for its call, as in the seed", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      yield* Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(legacy(emu)))
      yield* Legacy.call("sec", "CaptchaQuery", { ...captcha, Region: "gz", SignatureMethod: "HmacSHA256" }).pipe(Effect.provide(legacy(emu)))
      expect(emu.requests.list().map((r) => [r.signatureMethod, r.region])).toEqual([["HmacSHA1", "ap-guangzhou"], ["HmacSHA256", "gz"]])
    })
  )
})

describe("generateUrl", () => {
  it.scopedLive("the URL it gives is accepted by the emulator when fetched, once (a replay is refused)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const url = yield* Legacy.generateUrl("sec", "CaptchaQuery", captcha).pipe(Legacy.withSignatureMethod("HmacSHA256"), Effect.provide(legacy(emu)))
      expect(url).toMatch(/^https:\/\/csec\.api\.qcloud\.com\/v2\/index\.php\?Action=CaptchaQuery&/)
      expect(emu.requests.total()).toBe(0) // nothing sent
      const ok = yield* fetchVia(emu, url)
      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.body)).toMatchObject({ code: 0, codeDesc: "Success" })
      const again = yield* fetchVia(emu, url)
      expect(JSON.parse(again.body)).toMatchObject({ code: 4500, codeDesc: "AuthFailure.NonceReplay" })
    })
  )

  it.scopedLive("a parameter changed after signing is refused with the envelope", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const url = yield* Legacy.generateUrl("sec", "CaptchaQuery", captcha).pipe(Effect.provide(legacy(emu)))
      const tampered = yield* fetchVia(emu, url.replace("userIp=127.0.0.1", "userIp=127.0.0.2"))
      expect(tampered.status).toBe(200)
      const body = JSON.parse(tampered.body)
      expect(body).toMatchObject({ code: 4100, codeDesc: "AuthFailure.SignatureFailure" })
      expect(Object.keys(body).sort()).toEqual(["code", "codeDesc", "message"])
    })
  )
})

describe("CVM DescribeInstances from the emulator's state", () => {
  it.scopedLive("instances run through API 3.0 are listed by the API 2.0 action, filtered by instanceIds.N", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const api3 = Client.layer({ connectTo: emu.endpoint, region: "ap-guangzhou" }).pipe(
        Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
        Layer.provide(UndiciHttpClient.layerDefault)
      )
      const run = yield* Cvm.runInstances({ InstanceCount: 2, Placement: { Zone: "ap-guangzhou-3" }, ImageId: "img-eb30mz89", InstanceName: "web" }).pipe(Effect.provide(api3))
      const ids = run.InstanceIdSet ?? []
      const all = yield* Legacy.call("cvm", "DescribeInstances", {}).pipe(Effect.provide(legacy(emu)))
      expect(all.totalCount).toBe(2)
      const one = yield* Legacy.call("cvm", "DescribeInstances", { instanceIds: [ids[1]] }).pipe(Effect.provide(legacy(emu, { method: "GET" })))
      expect(one.totalCount).toBe(1)
      expect((one.instanceSet as Array<{ unInstanceId: string; zoneName: string }>)[0]).toMatchObject({ unInstanceId: ids[1], zoneName: "ap-guangzhou-3" })
      expect(emu.requests.last()?.query).toContain("instanceIds.0=")
    })
  )

  it.scopedLive("a region without instances: generated, deterministic per seed", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ seed: 3 })
      const a = yield* Legacy.call("cvm", "DescribeInstances", { limit: 1 }).pipe(Client.withRegion("ap-beijing"), Effect.provide(legacy(emu)))
      const b = yield* Legacy.call("cvm", "DescribeInstances", { limit: 1 }).pipe(Client.withRegion("ap-beijing"), Effect.provide(legacy(emu)))
      expect((a.instanceSet as Array<unknown>).length).toBe(1)
      expect(a.instanceSet).toEqual(b.instanceSet)
      expect(a.totalCount).toBeGreaterThanOrEqual(2)
    })
  )
})

describe("typed errors from the envelope", () => {
  it.scopedLive("unknown action: InvalidAction, catchTag works, code and category set", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const e = yield* Effect.flip(Legacy.call("cvm", "DescribeEverything", {}).pipe(Effect.provide(legacy(emu))))
      expect(e._tag).toBe("InvalidAction")
      expect(Legacy.isLegacyApiError(e)).toBe(true)
      if (Legacy.isLegacyApiError(e)) {
        expect(e.code).toBe("InvalidAction")
        expect(e.numericCode).toBe(4000)
        expect(e.category).toBe("client")
      }
      const caught = yield* Legacy.call("cvm", "DescribeEverything", {}).pipe(
        Effect.catchTag("InvalidAction", () => Effect.succeed("caught")),
        Effect.provide(legacy(emu))
      )
      expect(caught).toBe("caught")
    })
  )

  it.scopedLive("a wrong secret: AuthFailure.SignatureFailure (not retried); an unknown SecretId: AuthFailure.SecretIdNotFound", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const wrong = Credentials.layerStatic({ secretId: Emulator.DEMO_CREDENTIALS.secretId, secretKey: "not-the-key" })
      const e = yield* Effect.flip(Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(wrong), Effect.provide(legacy(emu))))
      expect(e._tag).toBe("AuthFailure.SignatureFailure")
      expect(Errors.classify(e)).toMatchObject({ retry: "never", region: true, code: "AuthFailure.SignatureFailure" })
      expect(emu.requests.total()).toBe(1)
      expect(e.message).not.toContain("not-the-key")
      const unknown = Credentials.layerStatic({ secretId: "AKIDnobody", secretKey: "x" })
      const e2 = yield* Effect.flip(Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(unknown), Effect.provide(legacy(emu))))
      expect(e2._tag).toBe("AuthFailure.SecretIdNotFound")
    })
  )

  it.scopedLive("a stale Timestamp: AuthFailure.SignatureExpire (4200)", () =>
    Effect.gen(function* () {
      // the emulator's clock is ten minutes ahead of the client's
      const emu = yield* Emulator.make({ now: () => Date.now() + 10 * 60_000 })
      const e = yield* Effect.flip(Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(legacy(emu))))
      expect(e._tag).toBe("AuthFailure.SignatureExpire")
      if (Legacy.isLegacyApiError(e)) expect(e.numericCode).toBe(4200)
    })
  )

  it.scopedLive("missing business parameter: MissingParameter", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const e = yield* Effect.flip(Legacy.call("sec", "CaptchaQuery", { userIp: "127.0.0.1" }).pipe(Effect.provide(legacy(emu))))
      expect(e._tag).toBe("MissingParameter")
    })
  )
})

describe("faults apply, and the shared retry rules treat API 2.0 codes like API 3.0's", () => {
  it.scopedLive("RequestLimitExceeded ×2 then success: 3 attempts, each signed anew", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "sec", action: "CaptchaQuery", times: 2, fault: { kind: "error", code: "RequestLimitExceeded" } })
      const r = yield* Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(legacy(emu)))
      expect(r.code).toBe(0)
      const log = emu.requests.list({ service: "sec" })
      expect(log.map((x) => x.response.code)).toEqual(["RequestLimitExceeded", "RequestLimitExceeded", undefined])
    })
  )

  it.scopedLive("InternalError is not retried, even for a Describe*; a 503 page is retried for a Describe*, not for CaptchaQuery", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "error", code: "InternalError" } })
      const e = yield* Effect.flip(Legacy.call("cvm", "DescribeInstances", {}).pipe(Effect.provide(legacy(emu))))
      expect(e._tag).toBe("InternalError")
      if (Legacy.isLegacyApiError(e)) expect([e.numericCode, e.category]).toEqual([6000, "internal"])
      expect(emu.requests.total()).toBe(1)
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "http", status: 503 } })
      const r = yield* Legacy.call("cvm", "DescribeInstances", {}).pipe(Effect.provide(legacy(emu)))
      expect(r.code).toBe(0)
      expect(emu.requests.total()).toBe(3)
      // CaptchaQuery is not read-only by name (Describe/Get/List/Query... prefixes): not repeated
      emu.faults.add({ service: "sec", times: 1, fault: { kind: "http", status: 503 } })
      const e503 = yield* Effect.flip(Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(legacy(emu))))
      expect(e503._tag).toBe("HttpStatusError")
      expect(emu.requests.total()).toBe(4)
    })
  )

  it.scopedLive("a connection reset before the answer, then success", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "reset" } })
      const r = yield* Legacy.call("cvm", "DescribeInstances", {}).pipe(Effect.provide(legacy(emu)))
      expect(r.code).toBe(0)
      expect(emu.requests.list({ service: "cvm" }).length).toBe(2)
    })
  )
})

describe("temporary credentials", () => {
  it.scopedLive("a Token is sent with a temporary key and checked by the emulator", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const api3 = Client.layer({ connectTo: emu.endpoint }).pipe(
        Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
        Layer.provide(UndiciHttpClient.layerDefault)
      )
      const sts = yield* Client.call("sts", "2018-08-13", "GetFederationToken", { Name: "legacy", Policy: "{}" }).pipe(
        Client.withRegion("ap-guangzhou"),
        Effect.provide(api3)
      )
      const c = sts.Credentials as { TmpSecretId: string; TmpSecretKey: string; Token: string }
      const temp = Credentials.layerStatic({ secretId: c.TmpSecretId, secretKey: c.TmpSecretKey, token: c.Token })
      const r = yield* Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(temp), Effect.provide(legacy(emu)))
      expect(r.code).toBe(0)
      expect(emu.requests.last()?.secretId).toBe(c.TmpSecretId)
      expect(emu.requests.last()?.query).toBe("")
      const noToken = Credentials.layerStatic({ secretId: c.TmpSecretId, secretKey: c.TmpSecretKey })
      const e = yield* Effect.flip(Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(noToken), Effect.provide(legacy(emu))))
      expect(e._tag).toBe("AuthFailure.TokenFailure")
    })
  )
})

describe("refused before sending", () => {
  it.scopedLive("invalid module, unflattenable parameter, GET over 32 KB, POST over 1 MB: RequestValidationError, nothing sent", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const layer = legacy(emu)
      const fails = (e: Effect.Effect<unknown, Legacy.LegacyError, Legacy.Legacy>) => Effect.flip(Effect.provide(e, layer))
      const cyclic: Record<string, unknown> = { a: 1 }
      cyclic.self = cyclic
      const cases = [
        yield* fails(Legacy.call("CVM!", "DescribeInstances")),
        yield* fails(Legacy.call("cvm", "DescribeInstances", { filter: () => 1 })),
        yield* fails(Legacy.call("cvm", "DescribeInstances", { s: Symbol("x") })),
        yield* fails(Legacy.call("cvm", "DescribeInstances", cyclic)),
        yield* fails(Legacy.call("cvm", "DescribeInstances", { big: "x".repeat(40_000) }).pipe(Client.withMethod("GET"))),
        yield* fails(Legacy.call("cvm", "DescribeInstances", { big: "x".repeat(1_100_000) }))
      ]
      expect(cases.map((e) => e._tag)).toEqual(Array(6).fill("RequestValidationError"))
      expect(cases.map((e) => (e as Errors.RequestValidationError).field)).toEqual(["module", "params.filter", "params.s", "params.self", "params", "params"])
      expect(cases[4].message).toContain("POST")
      expect(emu.requests.total()).toBe(0)
    })
  )
})

describe("the shared per-call knobs and the debugging hook", () => {
  it.scopedLive("Retry.withRetryPolicy per call; Client.withTimeout per call: TimeoutError; Client.withEndpoint: another host", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "error", code: "RequestLimitExceeded" } })
      const e = yield* Effect.flip(Legacy.call("cvm", "DescribeInstances", {}).pipe(Retry.withRetryPolicy(Retry.none), Effect.provide(legacy(emu))))
      expect(e._tag).toBe("RequestLimitExceeded")
      expect(emu.requests.total()).toBe(1)
      emu.faults.add({ service: "cvm", times: 1, fault: { kind: "latency", ms: 2000 } })
      const slow = yield* Effect.flip(
        Legacy.call("cvm", "DescribeInstances", {}).pipe(Client.withTimeout("100 millis"), Retry.withRetryPolicy(Retry.none), Effect.provide(legacy(emu)))
      )
      expect(slow._tag).toBe("TimeoutError")
      yield* Legacy.call("cvm", "DescribeInstances", {}).pipe(Client.withEndpoint("cdb.api.qcloud.com"), Effect.provide(legacy(emu)))
      expect(emu.requests.last()?.host).toBe("cdb.api.qcloud.com")
    })
  )

  it.scopedLive("httpListener sees every exchange with Signature and Token redacted, in the query and in the form", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make()
      const seen: Array<Legacy.HttpExchange> = []
      const layer = Legacy.layer({ connectTo: emu.endpoint, httpListener: (x) => Effect.sync(() => void seen.push(x)) }).pipe(
        Layer.provide(Credentials.layerStatic({ ...Emulator.DEMO_CREDENTIALS, token: "a-token-that-must-not-show" })),
        Layer.provide(UndiciHttpClient.layerDefault)
      )
      // the emulator refuses the unknown token; the exchange is still shown
      yield* Effect.either(Legacy.call("sec", "CaptchaQuery", captcha).pipe(Client.withMethod("GET"), Effect.provide(layer)))
      yield* Effect.either(Legacy.call("sec", "CaptchaQuery", captcha).pipe(Effect.provide(layer)))
      expect(seen.length).toBe(2)
      const text = JSON.stringify(seen)
      expect(text).not.toContain("a-token-that-must-not-show")
      expect(seen[0].request.url).toContain("Signature=<redacted>")
      expect(seen[1].request.body).toContain("Signature=<redacted>")
      expect(seen[1].request.body).toContain("Token=<redacted>")
    })
  )
})
