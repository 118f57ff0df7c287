/**
 * Each stage of a call on its own, without a Layer: configuration, API 3.0 layout / sign /
 * interpret, classification, the pre-send checks, redaction and cause sanitising.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import { checkCredential, checkHeaders } from "../../src/core/check.js"
import { redactForm, redactHeaders } from "../../src/core/redact.js"
import { sanitizeCause } from "../../src/core/sanitize.js"
import { networkError } from "../../src/core/transport.js"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import * as ClientConfig from "../../src/ClientConfig.js"
import * as Errors from "../../src/Errors.js"
import * as Api3 from "../../src/internal/api3.js"
import * as Signer from "../../src/Signer.js"
import { jsonAnswer, makeMockHttp, staticCredentials } from "../helpers/mockHttp.js"

const cfg = Either.getOrThrow(ClientConfig.resolve({ region: "ap-guangzhou", headers: { "X-A": "1" } }))
const protocol = Api3.make(cfg, Signer.make("TC3-HMAC-SHA256"))
const info = { service: "cvm", version: "2017-03-12", action: "DescribeInstances" }
const site = { service: "cvm", version: "2017-03-12", action: "DescribeInstances", endpoint: "cvm.tencentcloudapi.com" }

describe("ClientConfig", () => {
  it("validates every option and names the bad one", () => {
    for (const [o, field] of [
      [{ region: "Guangzhou" }, "region"],
      [{ language: "fr-FR" }, "language"],
      [{ method: "PUT" }, "method"],
      [{ scheme: "ftp" }, "scheme"],
      [{ endpoint: "http://x/y" }, "endpoint"],
      [{ timeout: -1 }, "timeout"],
      [{ requestClient: "a b" }, "requestClient"],
      [{ maxResponseBytes: 0 }, "maxResponseBytes"]
    ] as const) {
      const r = ClientConfig.resolve(o as ClientConfig.ClientOptions)
      expect(Either.isLeft(r) && r.left.field, JSON.stringify(o)).toBe(field)
    }
  })
  it("per-call overrides are validated by the same rules, and only what they set", () => {
    expect(Either.isLeft(ClientConfig.perCall(cfg, { region: "bad region" }))).toBe(true)
    expect(ClientConfig.perCall(cfg, { method: "GET" })).toEqual(Either.right({ region: "ap-guangzhou", language: undefined, method: "GET", endpoint: undefined }))
  })
})

describe("API 3.0 layout", () => {
  it("resolves the endpoint, merges headers (call wins), adds trace id and request client", () => {
    const laid = Either.getOrThrow(protocol.layout({ info, params: { Limit: 1 }, options: { headers: { "X-A": "call" } } }, { region: "ap-shanghai", headers: { "X-B": "ov" } }))
    expect(laid.primary).toEqual({ scheme: "https", host: "cvm.tencentcloudapi.com" })
    expect(laid.site.region).toBe("ap-shanghai")
    expect(laid.breakerKey).toBe("cvm|ap-shanghai|cvm.tencentcloudapi.com")
    expect(laid.headers["X-A"]).toBe("call")
    expect(laid.headers["X-B"]).toBe("ov")
    expect(laid.headers["X-TC-TraceId"]).toBe(laid.traceId)
    expect(laid.safe).toBe(true)
  })
  it("fills a ClientToken once, so every attempt reuses it", () => {
    const laid = Either.getOrThrow(protocol.layout({ info: { ...info, action: "RunInstances", clientToken: true }, params: {} }, {}))
    expect(typeof laid.params.ClientToken).toBe("string")
    expect(laid.safe).toBe(true)
  })
  it("refuses params that are not an object and a bad per-call region", () => {
    expect(Either.isLeft(protocol.layout({ info, params: [] as never }, {}))).toBe(true)
    const r = protocol.layout({ info, params: {} }, { region: "nope" })
    expect(Either.isLeft(r) && r.left.field).toBe("region")
  })
})

describe("API 3.0 sign", () => {
  const cred = { secretId: "AKIDx", secretKey: Redacted.make("sk") }
  it("signs for the target host given, not the layout's", () => {
    const laid = Either.getOrThrow(protocol.layout({ info, params: {} }, {}))
    const out = Either.getOrThrow(protocol.sign(laid, { scheme: "https", host: "cvm.backup.example.com" }, cred, 1_700_000_000_000, 1))
    expect(out.url).toBe("https://cvm.backup.example.com/")
    expect(out.headers.Host ?? out.headers.host).toBe("cvm.backup.example.com")
  })
  it("refuses a GET over 32 KB before sending", () => {
    const laid = Either.getOrThrow(protocol.layout({ info, params: { Filters: [{ Name: "x", Values: ["y".repeat(40_000)] }] } }, { method: "GET" }))
    const out = protocol.sign(laid, laid.primary, cred, 1_700_000_000_000, 1)
    expect(Either.isLeft(out) && out.left.message).toMatch(/32 KB/)
  })
})

describe("API 3.0 interpret", () => {
  const read = (text: string, status = 200, ct = "application/json") => Api3.interpret(status, ct, text, info, site, "t")
  it("the Response object on success", () => {
    expect(read('{"Response":{"RequestId":"r","TotalCount":1}}')).toEqual(Either.right({ RequestId: "r", TotalCount: 1 }))
  })
  it("any Error member is a failure; a code that is not a non-empty string is an UnknownApiError with the raw value", () => {
    const coded = read('{"Response":{"Error":{"Code":"InvalidParameter","Message":"m"},"RequestId":"r"}}')
    expect(Either.isLeft(coded) && coded.left._tag).toBe("InvalidParameter")
    for (const bad of ['{"Code":42,"Message":"m"}', '{"Message":"m"}', '"broken"', '{"Code":"","Message":"m"}']) {
      const r = read(`{"Response":{"Error":${bad},"RequestId":"r"}}`)
      expect(Either.isLeft(r) && r.left._tag, bad).toBe("UnknownApiError")
      expect(Either.isLeft(r) && (r.left as Errors.UnknownApiError).requestId).toBe("r")
    }
  })
  it("answers that will not change are permanent: not retried, not a region failure", () => {
    for (const [text, ct] of [['{"Response":{}}', "application/json"], ["", "application/json"], ["data: x\n\n", "text/event-stream"]] as const) {
      const r = read(text, 200, ct)
      expect(Either.isLeft(r) && r.left._tag, text).toBe("ResponseParseError")
      expect(Either.isLeft(r) && Errors.classify(r.left), text).toEqual({ retry: "never", region: true })
    }
  })
  it("a body cut short stays a transport failure (retried when safe)", () => {
    const r = read('{"Response":{"RequestId":"r","Tot')
    expect(Either.isLeft(r) && Errors.classify(r.left)).toEqual({ retry: "ifSafe", region: false })
  })
  it("a non-200 without an API body is an HttpStatusError", () => {
    const r = read("<html>bad gateway</html>", 502, "text/html")
    expect(Either.isLeft(r) && r.left._tag).toBe("HttpStatusError")
  })
})

describe("Errors.classify", () => {
  const api = (code: string) => new Errors.ApiError({ ...site, code, serverMessage: "", requestId: "r" })
  it("server codes by category, whatever the protocol", () => {
    expect(Errors.classify(api("RequestLimitExceeded.UinLimitExceeded"))).toMatchObject({ retry: "always", region: true })
    expect(Errors.classify(api("ServiceUnavailable"))).toMatchObject({ retry: "ifSafe", region: true })
    expect(Errors.classify(api("InternalError"))).toMatchObject({ retry: "never", region: false })
    expect(Errors.classify(api("InvalidParameter"))).toMatchObject({ retry: "never", region: true })
    expect(Errors.classify({ _tag: "SlowDown", code: "SlowDown", category: "throttling" })).toMatchObject({ retry: "always", code: "SlowDown" })
  })
  it("transport failures by what happened", () => {
    const ne = (reason: Errors.NetworkError["reason"]) => new Errors.NetworkError({ ...site, reason, traceId: "t", message: "m" })
    expect(Errors.classify(ne("Connect"))).toEqual({ retry: "always", region: false })
    expect(Errors.classify(ne("Reset"))).toEqual({ retry: "ifSafe", region: false })
    expect(Errors.classify(Errors.RequestValidationError.make({ field: "x", problem: "p", fix: "f" }))).toEqual({ retry: "never", region: undefined })
    expect(Errors.classify(new Errors.ResponseTooLargeError({ ...site, limitBytes: 1, traceId: "t", message: "m" }))).toEqual({ retry: "never", region: undefined })
  })
})

describe("checks before sending", () => {
  it("header names and values HTTP would refuse are RequestValidationErrors naming the header", () => {
    expect(checkHeaders({ "X-Ok": "fine value" }, site)).toBeUndefined()
    expect(checkHeaders({ "X Bad": "v" }, site)?.field).toBe('headers["X Bad"]')
    expect(checkHeaders({ "X-Bad": "a\r\nInjected: 1" }, site)?.field).toBe('headers["X-Bad"]')
    expect(checkHeaders({ "X-Bad": "中文" }, site)?._tag).toBe("RequestValidationError")
  })
  it("a SecretId with a newline or a token outside Latin-1 is a CredentialsError that quotes neither", () => {
    const e = checkCredential({ secretId: "AKID\n", secretKey: Redacted.make("k") })
    expect(e?._tag).toBe("CredentialsError")
    expect(e?.message).not.toContain("AKID")
    expect(checkCredential({ secretId: "AKID", secretKey: Redacted.make("k"), token: Redacted.make("tök€n") })?._tag).toBe("CredentialsError")
    expect(checkCredential({ secretId: "AKID", secretKey: Redacted.make("k"), token: Redacted.make("tok") })).toBeUndefined()
  })
})

describe("redaction and sanitised causes", () => {
  it("secret headers and parameters of every protocol", () => {
    expect(redactHeaders({ Authorization: "a", "X-TC-Token": "t", "x-cos-security-token": "c", "X-Security-Token": "h", Host: "h" })).toEqual({
      Authorization: "<redacted>", "X-TC-Token": "<redacted>", "x-cos-security-token": "<redacted>", "X-Security-Token": "<redacted>", Host: "h"
    })
    expect(redactForm("https://h/?Action=A&Token=tok&Signature=sig&q-signature=q")).toBe("https://h/?Action=A&Token=<redacted>&Signature=<redacted>&q-signature=<redacted>")
    expect(redactForm("Action=A&Token=tok")).toBe("Action=A&Token=<redacted>")
  })
  it("a TypeError carrying a signed URL keeps its message and code, not the secrets", () => {
    const raw = Object.assign(new TypeError("Invalid URL: https://x@h/?Token=SECRET-TOKEN&Signature=SECRET-SIG"), {
      code: "ERR_INVALID_URL",
      input: "https://x@h/?Token=SECRET-TOKEN&Signature=SECRET-SIG"
    })
    const e = networkError({ site, traceId: "t", attempt: 1, timeoutMillis: 1, maxBytes: 1 }, raw)
    for (const shown of [JSON.stringify(e), util.inspect(e, { depth: 10 }), String(e), JSON.stringify(e.toJSON()), JSON.stringify(sanitizeCause(raw))]) {
      expect(shown).not.toContain("SECRET-TOKEN")
      expect(shown).not.toContain("SECRET-SIG")
    }
    expect((e.cause as { code?: string }).code).toBe("ERR_INVALID_URL")
  })
})

describe("Client.call checks the names it is given", () => {
  it.effect("a service, version or action that is not a name fails before any URL is built", () => {
    const http = makeMockHttp(() => jsonAnswer({}))
    const layer = Client.layer({}).pipe(Layer.provide(Layer.merge(http.layer, staticCredentials(true))))
    return Effect.gen(function* () {
      for (const [s, v, a, field] of [
        ["x@127.0.0.1:9/", "2017-03-12", "DescribeZones", "service"],
        ["", "2017-03-12", "DescribeZones", "service"],
        ["cvm", "2017/03/12", "DescribeZones", "version"],
        ["cvm", "2017-03-12", "Describe\r\nZones", "action"],
        ["cvm", "2017-03-12", "", "action"]
      ] as const) {
        const e = yield* Effect.flip(Client.call(s, v, a))
        expect(e._tag, `${s} ${v} ${a}`).toBe("RequestValidationError")
        expect((e as Errors.RequestValidationError).field).toBe(field)
      }
      expect(http.recorded.length).toBe(0)
    }).pipe(Effect.provide(layer))
  })
})

describe("error excerpts of answers", () => {
  it("redact secret members, also in a body cut short", () => {
    const r = Api3.interpret(200, "application/json", '{"Response":{"Credentials":{"Token":"TOKEN-SECRET","TmpSecretKey":"KEY-SECR', info, site, "t")
    expect(Either.isLeft(r)).toBe(true)
    const shown = JSON.stringify(Either.isLeft(r) ? r.left : null)
    expect(shown).not.toContain("TOKEN-SECRET")
    expect(shown).not.toContain("KEY-SECR")
  })
})

describe("input the HTTP layer would refuse never becomes a network failure (issue 14 item 1)", () => {
  it.effect("a CR/LF in a header or a newline in the SecretId: a typed error, nothing sent, not retried", () => {
    const http = makeMockHttp(() => jsonAnswer({}))
    const layer = Client.layer({ region: "ap-guangzhou", breaker: true }).pipe(Layer.provide(Layer.merge(http.layer, staticCredentials())))
    const badKey = Client.layer({ region: "ap-guangzhou" }).pipe(
      Layer.provide(http.layer),
      Layer.provide(Layer.succeed(Credentials.Credentials, { get: Effect.succeed({ secretId: "AKID\nX", secretKey: Redacted.make("k") }) }))
    )
    return Effect.gen(function* () {
      for (let i = 0; i < 3; i++) {
        const e = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Client.withHeaders({ "X-Bad": "a\r\nInjected: 1" }), Effect.provide(layer)))
        expect(e._tag).toBe("RequestValidationError")
      }
      const bad = yield* Effect.flip(Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Effect.provide(badKey)))
      expect(bad._tag).toBe("CredentialsError")
      expect(http.recorded.length).toBe(0)
      // and the region's breaker never heard of them: the next good call goes to the primary
      yield* Client.call("cvm", "2017-03-12", "DescribeZones").pipe(Effect.provide(layer))
      expect(http.recorded[0].url).toBe("https://cvm.tencentcloudapi.com/")
    })
  })
})
