import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import { classify } from "../../src/Errors.js"
import * as Crc64 from "../../src/cos/internal/crc64.js"
import * as P from "../../src/cos/internal/protocol.js"
import * as Xml from "../../src/cos/internal/xml.js"
import * as Signature from "../../src/cos/Signature.js"

const config: P.CosConfig = { region: "ap-guangzhou", scheme: "https", domain: undefined, pathStyle: false, accelerate: false, timeoutMillis: 1000, correctClockSkew: true, signSeconds: 900 }
const req = (over: Partial<P.CosRequest<unknown>> = {}): P.CosRequest<unknown> => ({ operation: "GetObject", method: "GET", bucket: "examplebucket-1250000000", key: "a b/猫.jpg", read: () => Either.right(undefined), ...over })
const lay = (c: Partial<P.CosConfig> = {}, r: Partial<P.CosRequest<unknown>> = {}, ov = {}) => P.layout({ ...config, ...c })(req(r), ov)
const cred = { secretId: "AKIDtest", secretKey: Redacted.make("secret"), token: Redacted.make("tok+en/=") }

describe("COS layout: hosts and validation", () => {
  it("virtual-host, path-style, accelerate, custom domain, legacy regions, service host, per-call region", () => {
    expect(Either.getOrThrow(lay()).host).toBe("examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com")
    expect(Either.getOrThrow(lay()).path).toBe("/a%20b/%E7%8C%AB.jpg")
    const ps = Either.getOrThrow(lay({ pathStyle: true }))
    expect([ps.host, ps.path, ps.signPath]).toEqual(["cos.ap-guangzhou.myqcloud.com", "/examplebucket-1250000000/a%20b/%E7%8C%AB.jpg", "/examplebucket-1250000000/a b/猫.jpg"])
    expect(Either.getOrThrow(lay({ accelerate: true, region: undefined })).host).toBe("examplebucket-1250000000.cos.accelerate.myqcloud.com")
    expect(Either.getOrThrow(lay({ domain: "{BucketName}-{AppId}.files.example.com" })).host).toBe("examplebucket-1250000000.files.example.com")
    expect(Either.getOrThrow(lay({ region: "cn-south" })).host).toBe("examplebucket-1250000000.cn-south.myqcloud.com")
    expect(Either.getOrThrow(lay({}, { bucket: undefined, key: undefined })).host).toBe("service.cos.myqcloud.com")
    expect(Either.getOrThrow(lay({}, {}, { region: "ap-shanghai" })).host).toBe("examplebucket-1250000000.cos.ap-shanghai.myqcloud.com")
  })

  it("refuses bad buckets, keys and regions with what, where and how to fix", () => {
    for (const [r, c, field] of [
      [{ bucket: "Example-125" }, {}, "bucket"],
      [{ bucket: "example" }, {}, "bucket"],
      [{ key: "" }, {}, "key"],
      [{ key: "/abs" }, {}, "key"],
      [{ key: "a/./b" }, {}, "key"],
      [{ key: "x".repeat(851) }, {}, "key"],
      [{ key: "a\nb" }, {}, "key"],
      [{}, { region: undefined }, "region"],
      [{}, { region: "Guangzhou" }, "region"]
    ] as const) {
      const e = lay(c as Partial<P.CosConfig>, r as Partial<P.CosRequest<unknown>>)
      expect(Either.isLeft(e)).toBe(true)
      if (Either.isLeft(e)) {
        expect(e.left.field).toBe(field)
        expect(e.left.message).toMatch(/Nothing was sent/)
      }
    }
  })
})

describe("COS sign", () => {
  it("signs host and x-cos-* (token included) with the corrected clock; the token is not in the URL", () => {
    const laid = Either.getOrThrow(lay({}, { method: "PUT", headers: { "x-cos-meta-a": "1", "content-type": "text/plain", "user-agent": "x" }, query: { uploads: "" } }))
    const skew = { offsetMillis: 60_000 }
    const out = Either.getOrThrow(P.sign(config, skew)(laid, laid.primary, cred, 1_700_000_000_000))
    expect(out.url).toBe("https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b/%E7%8C%AB.jpg?uploads")
    expect(out.headers["x-cos-security-token"]).toBe("tok+en/=")
    const a = Signature.parseAuthorization(out.headers.authorization)!
    expect(a.headerList).toEqual(["content-type", "host", "x-cos-meta-a", "x-cos-security-token"])
    expect(a.urlParamList).toEqual(["uploads"])
    expect(a.keyTime).toBe(`${1_700_000_060 - 1};${1_700_000_060 - 1 + 900}`)
    const again = Signature.authorization({ secretId: "AKIDtest", secretKey: "secret", method: "PUT", key: "a b/猫.jpg", query: { uploads: "" }, headers: { "content-type": "text/plain", host: laid.host, "x-cos-meta-a": "1", "x-cos-security-token": "tok+en/=" }, startSeconds: 1_700_000_059, endSeconds: 1_700_000_959 })
    expect(out.headers.authorization).toBe(again)
  })
})

describe("COS interpret: error documents", () => {
  const laid = Either.getOrThrow(lay())
  const answer = (status: number, body = "", headers: Record<string, string> = {}) => ({ status, body, headers: { "x-cos-request-id": "rid-1", ...headers } })

  it("reads Code, Message, RequestId, TraceId, Resource; _tag is the code; categories drive classify", () => {
    const doc = `<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce &amp; retry</Message><Resource>r</Resource><RequestId>doc-rid</RequestId><TraceId>t</TraceId></Error>`
    const e = Either.getLeft(P.interpret(config, { offsetMillis: 0 })(answer(503, doc), laid)).pipe((o) => (o as any).value)
    expect(e).toMatchObject({ _tag: "SlowDown", code: "SlowDown", category: "throttling", serverMessage: "Please reduce & retry", requestId: "rid-1", traceId: "t", resource: "r" })
    expect(classify(e).retry).toBe("always")
    const internal = (Either.getLeft(P.interpret(config, { offsetMillis: 0 })(answer(500, `<Error><Code>InternalError</Code><Message>m</Message></Error>`), laid)) as any).value
    expect(classify(internal)).toMatchObject({ retry: "ifSafe", code: "InternalError" })
    const denied = (Either.getLeft(P.interpret(config, { offsetMillis: 0 })(answer(403, `<Error><Code>AccessDenied</Code><Message>no</Message></Error>`), laid)) as any).value
    expect(classify(denied).retry).toBe("never")
  })

  it("a HEAD 404 without a body still names the object; 200 with an <Error> body is an error", () => {
    const e = (Either.getLeft(P.interpret(config, { offsetMillis: 0 })(answer(404), laid)) as any).value
    expect(e).toMatchObject({ _tag: "NoSuchKey", bucket: "examplebucket-1250000000", key: "a b/猫.jpg", requestId: "rid-1" })
    expect(e.message).toContain("examplebucket-1250000000/a b/猫.jpg")
    const bucketLaid = Either.getOrThrow(lay({}, { key: undefined }))
    expect((Either.getLeft(P.interpret(config, { offsetMillis: 0 })(answer(404), bucketLaid)) as any).value._tag).toBe("NoSuchBucket")
    const copy = P.interpret(config, { offsetMillis: 0 })(answer(200, `<?xml version="1.0"?><Error><Code>InternalError</Code><Message>x</Message></Error>`), laid)
    expect(Either.isLeft(copy)).toBe(true)
  })

  it("a skew error learns the offset from Date once, as throttling (retried at once); not twice", () => {
    const skew = { offsetMillis: 0 }
    const fresh = Either.getOrThrow(lay())
    fresh.state.signedAt = Date.UTC(2025, 0, 1)
    const server = new Date(Date.UTC(2025, 0, 1, 1)).toUTCString()
    const doc = `<Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message></Error>`
    const first = (Either.getLeft(P.interpret(config, skew)(answer(403, doc, { date: server }), fresh)) as any).value
    expect(first.category).toBe("throttling")
    expect(skew.offsetMillis).toBe(3_600_000)
    const second = (Either.getLeft(P.interpret(config, skew)(answer(403, doc, { date: server }), fresh)) as any).value
    expect(second.category).toBe("client")
    const off = { offsetMillis: 0 }
    const noCorrection = (Either.getLeft(P.interpret({ ...config, correctClockSkew: false }, off)(answer(403, doc, { date: server }), Either.getOrThrow(lay()))) as any).value
    expect([noCorrection.category, off.offsetMillis]).toEqual(["client", 0])
  })
})

describe("CRC-64 and XML, properties", () => {
  it("has the catalogued check value", () => {
    expect(Crc64.crc64(new TextEncoder().encode("123456789")).toString(16)).toBe("995dc9bbdf1939fa")
    expect(Crc64.crc64(new Uint8Array(0))).toBe(0n)
  })
  it.prop("combine(crc(a), crc(b), |b|) = crc(a ++ b); chunked updates = one update", [fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 })], ([a, b]) => {
    const ab = new Uint8Array([...a, ...b])
    expect(Crc64.combine(Crc64.crc64(a), Crc64.crc64(b), b.length)).toBe(Crc64.crc64(ab))
    const s = Crc64.init()
    Crc64.update(s, a)
    Crc64.update(s, b)
    expect(Crc64.digest(s)).toBe(Crc64.crc64(ab))
  })
  it.prop("XML text survives build and parse", [fc.string(), fc.array(fc.string(), { maxLength: 4 })], ([text, list]) => {
    const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/g, "").replace(/\r/g, "")
    const doc = Xml.parse(Xml.build("Root", { A: clean(text), Item: list.map((x) => ({ Key: clean(x) })) }))!
    expect(Xml.textOf(doc, "A")).toBe(clean(text))
    expect(Xml.childrenOf(doc, "Item").map((i) => Xml.textOf(i, "Key"))).toEqual(list.map(clean))
  })
})
