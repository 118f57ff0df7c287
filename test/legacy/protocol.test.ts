/**
 * The API 2.0 protocol's pure parts and the client over a mocked HTTP layer: what `layout`
 * refuses before anything is sent (and why), the module → host table, per-call values, how
 * answers are read (lossless integers, typed errors classified like API 3.0), and the client's
 * requests under `TestClock`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { createHmac } from "node:crypto"
import * as Client from "../../src/Client.js"
import * as Errors from "../../src/Errors.js"
import { Legacy } from "../../src/legacy/index.js"
import * as Protocol from "../../src/legacy/internal/protocol.js"
import { makeMockHttp, SECRET_KEY, staticCredentials, TOKEN } from "../helpers/mockHttp.js"

const config = (o: Legacy.LegacyOptions = {}) => {
  const r = Legacy.resolveOptions(o)
  if (Either.isLeft(r)) throw new Error(r.left.message)
  return r.right
}
const protocol = Protocol.make(config({ region: "ap-guangzhou" }))
const layout = (module: string, action: string, params: unknown, ov = {}) => protocol.layout({ module, action, params }, ov)
const refused = (r: Either.Either<unknown, Errors.RequestValidationError>) => {
  if (Either.isRight(r)) throw new Error("expected a refusal")
  return r.left
}

describe("layout: refused before anything is sent", () => {
  it.each([
    ["", "module"],
    ["CVM", "module"],
    ["a.b", "module"],
    ["-cvm", "module"],
    ["cvm ", "module"]
  ])("module %j", (module, field) => {
    const e = refused(layout(module, "DescribeInstances", {}))
    expect(e.field).toBe(field)
    expect(e.message).toContain("Nothing was sent")
  })

  it("strictModules: an unknown module is named as such; the table and `hosts` still work", () => {
    const strict = Protocol.make(config({ strictModules: true, hosts: { mine: "mine.example.com" } }))
    expect(refused(strict.layout({ module: "cvmm", action: "A", params: {} }, {})).message).toContain("not one of the known API 2.0 modules")
    expect(Either.isRight(strict.layout({ module: "cvm", action: "A", params: {} }, {}))).toBe(true)
    expect(Either.map(strict.layout({ module: "mine", action: "A", params: {} }, {}), (l) => l.primary.host)).toEqual(Either.right("mine.example.com"))
  })

  it("the signer's own parameters, bad actions, regions and signature methods", () => {
    expect(refused(layout("cvm", "A", { SecretId: "x" })).field).toBe("params.SecretId")
    expect(refused(layout("cvm", "A", { Signature: "x" })).field).toBe("params.Signature")
    expect(refused(layout("cvm", "A", { Timestamp: 1 })).field).toBe("params.Timestamp")
    expect(refused(layout("cvm", "Describe Instances", {})).field).toBe("action")
    expect(refused(layout("cvm", "A", {}, { region: "ap guangzhou" })).field).toBe("region")
    expect(refused(layout("cvm", "A", { SignatureMethod: "HmacMD5" })).field).toBe("SignatureMethod")
    expect(refused(layout("cvm", "A", [1, 2])).field).toBe("params")
    expect(refused(layout("cvm", "A", {}, { method: "PUT" })).field).toBe("method")
  })

  it("values that cannot be flattened, with their path", () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.me = { again: cyclic }
    expect(refused(layout("cvm", "A", { a: [1, () => 2] })).field).toBe("params.a[1]")
    expect(refused(layout("cvm", "A", { s: Symbol("x") })).field).toBe("params.s")
    expect(refused(layout("cvm", "A", cyclic)).message).toContain("circular")
    expect(refused(layout("cvm", "A", { n: Number.NaN })).field).toBe("params.n")
    expect(refused(layout("cvm", "A", { b: new Uint8Array(2) })).field).toBe("params.b")
  })

  it("two names signed alike (`_` reads as `.`) are refused", () => {
    expect(refused(layout("cvm", "A", { "a.b": 1, a_b: 2 })).message).toContain("same parameter once signed")
  })

  it("size limits: GET 32 KB of query (advice: POST), POST 1 MB of form", () => {
    expect(refused(layout("cvm", "A", { x: "y".repeat(33_000) }, { method: "GET" })).message).toMatch(/at most 32768 bytes.*send it as POST/)
    expect(Either.isRight(layout("cvm", "A", { x: "y".repeat(33_000) }, { method: "POST" }))).toBe(true)
    expect(refused(layout("cvm", "A", { x: "y".repeat(1_048_577) }, { method: "POST" })).message).toContain("1 MB")
    // the exact check at signing counts the common parameters too
    const l = Either.getOrThrow(layout("cvm", "A", { x: "y".repeat(32_700) }, { method: "GET" }))
    const signed = protocol.sign(l, l.primary, { secretId: "AKID", secretKey: Redacted.make("k") }, 0, 1)
    expect(refused(signed).message).toMatch(/signed GET request takes \d+ bytes/)
  })
})

describe("the module → host table and per-call values", () => {
  const host = (module: string, o: Legacy.LegacyOptions = {}, ov = {}) =>
    Either.map(Protocol.make(config(o)).layout({ module, action: "A", params: {} }, ov), (l) => `${l.primary.scheme}://${l.primary.host}`)
  it("sec is csec; any other module is <module>.api.qcloud.com; hosts, baseDomain, scheme and withEndpoint override", () => {
    expect(host("sec")).toEqual(Either.right("https://csec.api.qcloud.com"))
    expect(host("cvm")).toEqual(Either.right("https://cvm.api.qcloud.com"))
    expect(host("wenzhi")).toEqual(Either.right("https://wenzhi.api.qcloud.com"))
    expect(host("brandnew")).toEqual(Either.right("https://brandnew.api.qcloud.com"))
    expect(host("sec", { hosts: { sec: "sec.internal:8080" }, scheme: "http" })).toEqual(Either.right("http://sec.internal:8080"))
    expect(host("cvm", { baseDomain: "api.example.com" })).toEqual(Either.right("https://cvm.api.example.com"))
    expect(host("cvm", {}, { endpoint: "http://127.0.0.1:9000" })).toEqual(Either.right("http://127.0.0.1:9000"))
  })

  it("region: a Region parameter, then withRegion, then the client's; action's first letter upper-cased as in the qcloudapi SDKs", () => {
    const l = (params: unknown, ov = {}) => Either.getOrThrow(layout("cvm", "describeInstances", params, ov))
    expect(l({}).region).toBe("ap-guangzhou")
    expect(l({}, { region: "ap-shanghai" }).region).toBe("ap-shanghai")
    expect(l({ Region: "gz" }, { region: "ap-shanghai" }).region).toBe("gz")
    expect(l({}).action).toBe("DescribeInstances")
    expect(l({ SignatureMethod: "HmacSHA256" }).signatureMethod).toBe("HmacSHA256")
  })

  it("resolveOptions refuses bad options by name", () => {
    const field = (o: Legacy.LegacyOptions) => Either.match(Legacy.resolveOptions(o), { onLeft: (e) => e.field, onRight: () => "ok" })
    expect(field({ method: "PATCH" as never })).toBe("method")
    expect(field({ signatureMethod: "TC3-HMAC-SHA256" as never })).toBe("signatureMethod")
    expect(field({ hosts: { sec: "not a host" } })).toBe("hosts.sec")
    expect(field({ path: "v2/index.php" })).toBe("path")
    expect(field({ timeout: "soon" as never })).toBe("timeout")
    expect(field({ requestClient: "bad client!" })).toBe("requestClient")
    expect(field({ connectTo: "ftp://x" })).toBe("connectTo")
    expect(field({})).toBe("ok")
  })
})

describe("interpret: the envelope, lossless integers, typed errors classified like API 3.0", () => {
  const laid = Either.getOrThrow(layout("cvm", "DescribeInstances", {}))
  const read = (body: string, status = 200) => protocol.interpret({ status, headers: { "content-type": "application/json" }, body }, laid, laid.primary)

  it("code 0: the whole answer, integers beyond 2^53 as bigint", () => {
    const r = read('{"code":0,"message":"","codeDesc":"Success","totalCount":1,"id":12345678901234567890}')
    expect(r).toEqual(Either.right({ code: 0, message: "", codeDesc: "Success", totalCount: 1, id: 12345678901234567890n }))
  })

  it("codeDesc is the _tag; numeric code kept; throttling / internal / unavailable / client as API 3.0", () => {
    const err = (body: string) => Either.getLeft(read(body)).pipe((o) => (o._tag === "Some" ? o.value : undefined)) as Legacy.LegacyApiError
    const t = err('{"code":4400,"message":"too many","codeDesc":"RequestLimitExceeded"}')
    expect([t._tag, t.code, t.numericCode, t.category]).toEqual(["RequestLimitExceeded", "RequestLimitExceeded", 4400, "throttling"])
    expect(Errors.classify(t)).toEqual({ retry: "always", region: true, code: "RequestLimitExceeded" })
    expect(Errors.classify(err('{"code":6000,"message":"boom","codeDesc":"InternalError"}'))).toMatchObject({ retry: "never", region: false })
    expect(Errors.classify(err('{"code":6200,"message":"later"}'))).toMatchObject({ retry: "ifSafe", code: "ServiceUnavailable" })
    expect(err('{"code":4100,"message":"bad sig","codeDesc":"AuthFailure.SignatureFailure"}').category).toBe("client")
    // no codeDesc (older modules): named from the numeric table, else Code<n>
    expect(err('{"code":4000,"message":"bad"}')._tag).toBe("InvalidParameter")
    expect(err('{"code":1234,"message":"?"}')._tag).toBe("Code1234")
    expect(err('{"code":"InvalidParameter.Foo","message":"?"}')._tag).toBe("InvalidParameter.Foo")
    expect(Legacy.isRetryable(t, { info: laid.info, safe: false })).toBe(true)
    expect(Legacy.isRetryable(err('{"code":6200,"message":"later"}'), { info: laid.info, safe: false })).toBe(false)
  })

  it("not JSON: ResponseParseError (200) or HttpStatusError (other); JSON without code: a permanent ResponseParseError", () => {
    expect(Either.getLeft(read("<html>")).pipe((o) => (o._tag === "Some" ? o.value._tag : ""))).toBe("ResponseParseError")
    expect(Either.getLeft(read("<html>", 502)).pipe((o) => (o._tag === "Some" ? o.value._tag : ""))).toBe("HttpStatusError")
    const e = Either.getLeft(read('{"Response":{}}')).pipe((o) => (o._tag === "Some" ? o.value : undefined)) as Errors.ResponseParseError
    expect([e._tag, e.permanent]).toEqual(["ResponseParseError", true])
    expect(Errors.classify(e).retry).toBe("never")
  })
})

describe("the client over a mocked HttpClient (TestClock)", () => {
  const answer = { status: 200, body: '{"code":0,"message":"","codeDesc":"Success","n":1}', headers: { "content-type": "application/json" } }

  it.effect("GET: every parameter in the query, signed at the clock's instant; POST: a form; the token is sent, never logged in errors", () =>
    Effect.gen(function* () {
      const mock = makeMockHttp(() => answer)
      const live = Legacy.layer({ region: "ap-guangzhou" }).pipe(Layer.provide(staticCredentials(true)), Layer.provide(mock.layer))
      yield* TestClock.setTime(1465185768_000)
      const r = yield* Legacy.call("cvm", "DescribeInstances", { instanceIds: ["ins-1"] }).pipe(Client.withMethod("GET"), Effect.provide(live))
      expect(r.n).toBe(1)
      const get = mock.recorded[0]
      const u = new URL(get.url)
      expect(get.method).toBe("GET")
      expect(u.host + u.pathname).toBe("cvm.api.qcloud.com/v2/index.php")
      expect(u.searchParams.get("Timestamp")).toBe("1465185768")
      expect(u.searchParams.get("Token")).toBe(TOKEN)
      const signed = [...u.searchParams.entries()].filter(([k]) => k !== "Signature").sort(([a], [b]) => (a < b ? -1 : 1))
      const text = `GETcvm.api.qcloud.com/v2/index.php?${signed.map(([k, v]) => `${k}=${v}`).join("&")}`
      expect(u.searchParams.get("Signature")).toBe(createHmac("sha1", SECRET_KEY).update(text).digest("base64"))
      yield* Legacy.call("cvm", "DescribeInstances", { instanceIds: ["ins-1"] }).pipe(Legacy.withSignatureMethod("HmacSHA256"), Effect.provide(live))
      const post = mock.recorded[1]
      expect([post.method, post.url, post.headers["content-type"]]).toEqual(["POST", "https://cvm.api.qcloud.com/v2/index.php", "application/x-www-form-urlencoded"])
      const form = new URLSearchParams(post.body)
      expect(form.get("SignatureMethod")).toBe("HmacSHA256")
      expect(form.get("instanceIds.0")).toBe("ins-1")
    })
  )

  it.effect("an error answer: typed, and neither the secret nor the token appear in it", () =>
    Effect.gen(function* () {
      const mock = makeMockHttp(() => ({ body: '{"code":4100,"message":"signature mismatch","codeDesc":"AuthFailure.SignatureFailure"}' }))
      const live = Legacy.layer().pipe(Layer.provide(staticCredentials(true)), Layer.provide(mock.layer))
      const e = yield* Effect.flip(Legacy.call("sec", "CaptchaQuery", {}).pipe(Effect.provide(live)))
      expect(e._tag).toBe("AuthFailure.SignatureFailure")
      const text = JSON.stringify(e) + String(e) + e.message
      expect(text).not.toContain(SECRET_KEY)
      expect(text).not.toContain(TOKEN)
    })
  )

  it.effect("generateUrl: signed at the clock's instant, nothing sent", () =>
    Effect.gen(function* () {
      const mock = makeMockHttp(() => answer)
      const live = Legacy.layer().pipe(Layer.provide(staticCredentials()), Layer.provide(mock.layer))
      yield* TestClock.setTime(1700000000_000)
      const url = yield* Legacy.generateUrl("sec", "CaptchaQuery", { userIp: "127.0.0.1" }).pipe(Client.withRegion("ap-shanghai"), Effect.provide(live))
      const u = new URL(url)
      expect(u.host).toBe("csec.api.qcloud.com")
      expect([u.searchParams.get("Timestamp"), u.searchParams.get("Region")]).toEqual(["1700000000", "ap-shanghai"])
      expect(mock.recorded.length).toBe(0)
    })
  )

  it.effect("layerConfig reads the environment through Config; overrides win", () =>
    Effect.gen(function* () {
      const mock = makeMockHttp(() => answer)
      const live = Legacy.layerConfig({ region: "ap-chengdu" }).pipe(Layer.provide(staticCredentials()), Layer.provide(mock.layer))
      yield* Legacy.call("cvm", "DescribeInstances", {}).pipe(
        Effect.provide(live),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["TENCENTCLOUD_REGION", "ap-beijing"], ["TENCENTCLOUD_LEGACY_METHOD", "GET"], ["TENCENTCLOUD_LEGACY_SIGNATURE_METHOD", "HmacSHA256"]])))
      )
      const u = new URL(mock.recorded[0].url)
      expect([mock.recorded[0].method, u.searchParams.get("Region"), u.searchParams.get("SignatureMethod")]).toEqual(["GET", "ap-chengdu", "HmacSHA256"])
    })
  )
})
