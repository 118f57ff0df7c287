/**
 * Signer: the official documentation's worked examples, unit checks, and property tests.
 * The differential test against the official Node SDK is in `SignerDifferential.test.ts`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import { createHash, createHmac } from "node:crypto"
import type { Credential } from "../src/Credentials.js"
import * as Signer from "../src/Signer.js"
import { hashHex } from "../src/internal/signing.js"

const cred = (secretId: string, secretKey: string, token?: string): Credential => ({
  secretId,
  secretKey: Redacted.make(secretKey),
  ...(token === undefined ? {} : { token: Redacted.make(token) })
})

/** Independent SHA-256 (does not go through the module under test). */
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex")

const AUTH_RE = /^TC3-HMAC-SHA256 Credential=([^/]*)\/(\d{4}-\d{2}-\d{2})\/([^/]*)\/tc3_request, SignedHeaders=content-type;host, Signature=([0-9a-f]{64})$/

/** Recompute a TC3 Authorization from what a signed request would put on the wire. */
const recomputeTc3 = (signed: Signer.SignedRequest, secretId: string, secretKey: string, service: string): string => {
  const url = new URL(signed.url)
  const q = signed.url.indexOf("?")
  const query = q < 0 ? "" : signed.url.slice(q + 1)
  const body = signed.body === undefined ? "" : signed.body
  const ts = Number(signed.headers["X-TC-Timestamp"])
  const payloadHash = signed.headers["X-TC-Content-SHA256"] === "UNSIGNED-PAYLOAD" ? sha256("UNSIGNED-PAYLOAD") : sha256(body)
  const canonical = Signer.tc3CanonicalRequest({
    method: signed.method,
    path: url.pathname,
    canonicalQuery: query,
    contentType: signed.headers["Content-Type"],
    host: signed.headers["Host"],
    payloadHash
  })
  const date = Signer.utcDate(ts)
  const sig = Signer.tc3Signature(Signer.tc3SigningKey(secretKey, date, service), Signer.tc3StringToSign(ts, service, canonical))
  return Signer.tc3Authorization(secretId, date, service, sig)
}

const baseRequest = (over: Partial<Signer.UnsignedRequest> = {}): Signer.UnsignedRequest => ({
  method: "POST",
  scheme: "https",
  host: "cvm.tencentcloudapi.com",
  service: "cvm",
  version: "2017-03-12",
  action: "DescribeInstances",
  region: "ap-guangzhou",
  params: { Limit: 1 },
  ...over
})

// -------------------------------------------------------------------------------------------
// 1. The official documentation's worked examples
// -------------------------------------------------------------------------------------------

/*
 * "签名方法 v3" (https://cloud.tencent.com/document/api/213/30654): cvm DescribeInstances in
 * ap-guangzhou, X-TC-Timestamp 1551113065, body
 * {"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}
 * (Python json.dumps: ", " separators, \u escapes), Content-Type "application/json; charset=utf-8".
 * The current edition masks the key as SecretId "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
 * SecretKey "Gu5t9xGARNpq86cd98joQYCN3*******" and its signature 2230eefd… is computed over those
 * literal strings (the official Go SDK's sign test and many ports use the same vector). The
 * earlier edition used "...EXAMPLE" keys and published signature 72e494ea….
 */
const DOC_V3 = {
  payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
  payloadHash: "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064",
  canonicalRequest: [
    "POST",
    "/",
    "",
    "content-type:application/json; charset=utf-8",
    "host:cvm.tencentcloudapi.com",
    "",
    "content-type;host",
    "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
  ].join("\n"),
  hashedCanonicalRequest: "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
  stringToSign: [
    "TC3-HMAC-SHA256",
    "1551113065",
    "2019-02-25/cvm/tc3_request",
    "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
  ].join("\n"),
  editions: [
    {
      secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
      secretKey: "Gu5t9xGARNpq86cd98joQYCN3*******",
      signature: "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
    },
    {
      secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
      secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
      signature: "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    }
  ]
} as const

/*
 * "签名方法 v1" (https://cloud.tencent.com/document/api/213/15693): GET DescribeInstances,
 * Nonce 11886, Timestamp 1465185768, InstanceIds.0=ins-09dx96dg, Limit 20, Offset 0, HmacSHA1
 * (no SignatureMethod parameter: the server defaults to HmacSHA1). Current edition (masked key)
 * → zmmjn35mikh6pM3V7sUEuX4wyYM=, earlier edition (EXAMPLE key) → EliP9YW3pW28FpsEdkXt/+WcGeI=.
 * The API 2.0 "签名方法" page used the same algorithm with host cvm.api.qcloud.com, path
 * /v2/index.php and SignatureMethod=HmacSHA256 → 0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s=
 * (and HmacSHA1 over the same string → RVSD1I6ip2Zo56I2HdqRVrt+1TE=).
 */
const DOC_V1 = [
  {
    secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
    secretKey: "Gu5t9xGARNpq86cd98joQYCN3*******",
    signature: "zmmjn35mikh6pM3V7sUEuX4wyYM=",
    url: "https://cvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******&Signature=zmmjn35mikh6pM3V7sUEuX4wyYM%3D&Timestamp=1465185768&Version=2017-03-12"
  },
  {
    secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
    secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    signature: "EliP9YW3pW28FpsEdkXt/+WcGeI=",
    url: undefined
  }
] as const

describe("official documentation worked example: TC3-HMAC-SHA256", () => {
  it("payload hash", () => {
    expect(Signer.sha256Hex(DOC_V3.payload)).toBe(DOC_V3.payloadHash)
  })

  it("canonical request, byte for byte, and its hash", () => {
    const canonical = Signer.tc3CanonicalRequest({
      method: "POST",
      canonicalQuery: "",
      contentType: "application/json; charset=utf-8",
      host: "cvm.tencentcloudapi.com",
      payloadHash: Signer.sha256Hex(DOC_V3.payload)
    })
    expect(canonical).toBe(DOC_V3.canonicalRequest)
    expect(Signer.sha256Hex(canonical)).toBe(DOC_V3.hashedCanonicalRequest)
  })

  it("string to sign (UTC date 2019-02-25, not the UTC+8 date 2019-02-26)", () => {
    expect(Signer.utcDate(1551113065)).toBe("2019-02-25")
    expect(Signer.tc3StringToSign(1551113065, "cvm", DOC_V3.canonicalRequest)).toBe(DOC_V3.stringToSign)
  })

  for (const ed of DOC_V3.editions) {
    it(`signature and Authorization (${ed.secretId})`, () => {
      const key = Signer.tc3SigningKey(ed.secretKey, "2019-02-25", "cvm")
      const sig = Signer.tc3Signature(key, DOC_V3.stringToSign)
      expect(sig).toBe(ed.signature)
      expect(Signer.tc3Authorization(ed.secretId, "2019-02-25", "cvm", sig)).toBe(
        `TC3-HMAC-SHA256 Credential=${ed.secretId}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${ed.signature}`
      )
    })
  }

  it("signTc3 over the same bytes (octet body = the doc's payload) reaches the doc's canonical hash", () => {
    // signTc3 chooses its own Content-Type; check the pieces it shares with the doc example.
    const signed = Signer.signTc3(
      baseRequest({ body: { _tag: "OctetStream", bytes: new TextEncoder().encode(DOC_V3.payload) } }),
      cred(DOC_V3.editions[0].secretId, DOC_V3.editions[0].secretKey),
      1551113065.9
    )
    expect(signed.headers["X-TC-Timestamp"]).toBe("1551113065")
    expect(signed.headers["Authorization"]).toContain("Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request")
    const canonical = Signer.tc3CanonicalRequest({
      method: "POST",
      canonicalQuery: "",
      contentType: "application/octet-stream",
      host: "cvm.tencentcloudapi.com",
      payloadHash: DOC_V3.payloadHash
    })
    const sig = Signer.tc3Signature(
      Signer.tc3SigningKey(DOC_V3.editions[0].secretKey, "2019-02-25", "cvm"),
      Signer.tc3StringToSign(1551113065, "cvm", canonical)
    )
    expect(signed.headers["Authorization"]).toBe(Signer.tc3Authorization(DOC_V3.editions[0].secretId, "2019-02-25", "cvm", sig))
  })
})

describe("official documentation worked example: v1", () => {
  const userParams = { InstanceIds: ["ins-09dx96dg"], Limit: 20, Offset: 0 }
  const commonPairs = (secretId: string): Array<[string, string]> => [
    ["Action", "DescribeInstances"],
    ["SecretId", secretId],
    ["Timestamp", "1465185768"],
    ["Nonce", "11886"],
    ["Region", "ap-guangzhou"],
    ["Version", "2017-03-12"]
  ]

  for (const ed of DOC_V1) {
    it(`sorted parameters, sign string and HmacSHA1 signature (${ed.secretId})`, () => {
      const pairs = [...Signer.v1Flatten(userParams), ...commonPairs(ed.secretId)]
      expect(Signer.v1Flatten(userParams)).toEqual([["InstanceIds.0", "ins-09dx96dg"], ["Limit", "20"], ["Offset", "0"]])
      const s = Signer.v1StringToSign("GET", "cvm.tencentcloudapi.com", "/", pairs)
      expect(s).toBe(
        `GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=${ed.secretId}&Timestamp=1465185768&Version=2017-03-12`
      )
      expect(Signer.v1Signature("HmacSHA1", ed.secretKey, s)).toBe(ed.signature)
      if (ed.url !== undefined) {
        // the doc's URL leaves "*" raw (Java URLEncoder); RFC 3986, which we send, escapes it
        const sorted = [...pairs, ["Signature", ed.signature] as [string, string]].sort((a, b) => (a[0] < b[0] ? -1 : 1))
        expect("https://cvm.tencentcloudapi.com/?" + Signer.formEncode(sorted)).toBe(ed.url.replaceAll("*", "%2A"))
      }
    })
  }

  it("API 2.0 edition: path /v2/index.php, HmacSHA256 and HmacSHA1", () => {
    const pairs: Array<[string, string]> = [
      ["Action", "DescribeInstances"],
      ["SecretId", "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA"],
      ["Region", "ap-guangzhou"],
      ["Timestamp", "1465185768"],
      ["Nonce", "11886"],
      ["SignatureMethod", "HmacSHA256"],
      ...Signer.v1Flatten({ InstanceIds: ["ins-09dx96dg"] })
    ]
    const s = Signer.v1StringToSign("get", "cvm.api.qcloud.com", "/v2/index.php", pairs)
    expect(s).toBe(
      "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Nonce=11886&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=HmacSHA256&Timestamp=1465185768"
    )
    expect(Signer.v1Signature("HmacSHA256", "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA", s)).toBe("0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s=")
    expect(Signer.v1Signature("HmacSHA1", "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA", s)).toBe("RVSD1I6ip2Zo56I2HdqRVrt+1TE=")
  })

  it("signV1 lays the doc request out with the same sign string plus SignatureMethod", () => {
    const ed = DOC_V1[0]
    const signed = Signer.signV1("HmacSHA1", baseRequest({ method: "GET", params: userParams }), cred(ed.secretId, ed.secretKey), 1465185768.7, 11886)
    const params = new URLSearchParams(signed.url.slice(signed.url.indexOf("?") + 1))
    const expected = `GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=${ed.secretId}&SignatureMethod=HmacSHA1&Timestamp=1465185768&Version=2017-03-12`
    expect(params.get("Signature")).toBe(createHmac("sha1", ed.secretKey).update(expected).digest("base64"))
    expect(params.get("Timestamp")).toBe("1465185768")
    expect(signed.body).toBeUndefined()
  })
})

// -------------------------------------------------------------------------------------------
// 2. Unit checks of what we sign
// -------------------------------------------------------------------------------------------

describe("signTc3", () => {
  const c = cred("AKIDtest", "secret-key")

  it("constants are the hashes they claim to be", () => {
    expect(Signer.EMPTY_PAYLOAD_HASH).toBe(sha256(""))
    expect(Signer.UNSIGNED_PAYLOAD_HASH).toBe("438d4109ef0d676b8c2c7ed13cdfcb418e494d53b843d4634ce3b1085f07bb96")
  })

  it("POST JSON: signs the exact body, application/json and the host", () => {
    const signed = Signer.signTc3(baseRequest({ params: { Big: 2n ** 64n + 1n, S: "中文 😀" } }), c, 1700000000)
    expect(signed.body).toBe('{"Big":18446744073709551617,"S":"中文 😀"}')
    expect(signed.url).toBe("https://cvm.tencentcloudapi.com/")
    expect(signed.headers["Content-Type"]).toBe("application/json")
    expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKIDtest", "secret-key", "cvm"))
  })

  it("empty params: body {} and its hash", () => {
    const signed = Signer.signTc3(baseRequest({ params: {} }), c, 1700000000)
    expect(signed.body).toBe("{}")
    expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKIDtest", "secret-key", "cvm"))
  })

  it("GET: the query signed is the query sent; the payload hash is the empty hash", () => {
    const signed = Signer.signTc3(baseRequest({ method: "GET", params: { A: "a b&c=d'!", L: [1, 2], B: true } }), c, 1700000000)
    expect(signed.url).toBe("https://cvm.tencentcloudapi.com/?A=a%20b%26c%3Dd%27%21&L.0=1&L.1=2&B=true")
    expect(signed.body).toBeUndefined()
    expect(signed.headers["Content-Type"]).toBe("application/x-www-form-urlencoded")
    const m = AUTH_RE.exec(signed.headers["Authorization"])!
    const canonical = Signer.tc3CanonicalRequest({
      method: "GET",
      canonicalQuery: "A=a%20b%26c%3Dd%27%21&L.0=1&L.1=2&B=true",
      contentType: "application/x-www-form-urlencoded",
      host: "cvm.tencentcloudapi.com",
      payloadHash: Signer.EMPTY_PAYLOAD_HASH
    })
    expect(m[4]).toBe(Signer.tc3Signature(Signer.tc3SigningKey("secret-key", "2023-11-14", "cvm"), Signer.tc3StringToSign(1700000000, "cvm", canonical)))
  })

  it("signs the Host with its port and the spec's service, whatever the endpoint looks like", () => {
    const signed = Signer.signTc3(baseRequest({ scheme: "http", host: "127.0.0.1:8080", service: "cvm" }), c, 1700000000)
    expect(signed.url).toBe("http://127.0.0.1:8080/")
    expect(signed.headers["Host"]).toBe("127.0.0.1:8080")
    const m = AUTH_RE.exec(signed.headers["Authorization"])!
    expect(m[3]).toBe("cvm")
    expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKIDtest", "secret-key", "cvm"))
    // the port is part of what is signed
    const noPort = Signer.signTc3(baseRequest({ scheme: "http", host: "127.0.0.1", service: "cvm" }), c, 1700000000)
    expect(AUTH_RE.exec(noPort.headers["Authorization"])![4]).not.toBe(m[4])
  })

  it("token goes in X-TC-Token, unsigned; other X-TC-* headers are not signed either", () => {
    const a = Signer.signTc3(baseRequest(), cred("AKIDtest", "secret-key", "tok"), 1700000000)
    const b = Signer.signTc3(baseRequest({ action: "RunInstances", version: "2099-01-01", region: "ap-beijing", language: "en-US" }), c, 1700000000)
    expect(a.headers["X-TC-Token"]).toBe("tok")
    expect(a.headers["Authorization"]).toBe(b.headers["Authorization"])
    expect(b.headers["X-TC-Language"]).toBe("en-US")
  })

  it("caller headers cannot shadow the signed or signer-owned headers in another case", () => {
    const signed = Signer.signTc3(
      baseRequest({ headers: { "content-type": "text/plain", host: "evil.example", "x-tc-timestamp": "1", "X-TC-TraceId": "t-1", "X-Custom": "v" } }),
      c,
      1700000000
    )
    const names = Object.keys(signed.headers).map((k) => k.toLowerCase())
    expect(new Set(names).size).toBe(names.length)
    expect(signed.headers["Content-Type"]).toBe("application/json")
    expect(signed.headers["Host"]).toBe("cvm.tencentcloudapi.com")
    expect(signed.headers["X-TC-Timestamp"]).toBe("1700000000")
    expect(signed.headers["X-TC-TraceId"]).toBe("t-1")
    expect(signed.headers["X-Custom"]).toBe("v")
  })

  it("multipart: text, number, bytes and JSON parts; the hash covers the exact bytes", () => {
    const bytes = new Uint8Array([0, 255, 13, 10, 45, 45])
    const signed = Signer.signTc3(
      baseRequest({ params: { Name: "文件", N: 5, File: bytes, Obj: { A: [1n << 60n] }, Skip: null }, body: { _tag: "Multipart", boundary: "b0undary" } }),
      c,
      1700000000
    )
    expect(signed.headers["Content-Type"]).toBe("multipart/form-data; boundary=b0undary")
    const body = signed.body as Uint8Array
    const text = Buffer.from(body).toString("latin1")
    expect(text.startsWith("--b0undary\r\nContent-Disposition: form-data; name=\"Name\"\r\n\r\n")).toBe(true)
    expect(text).toContain('name="N"\r\n\r\n5\r\n')
    expect(text).toContain('name="Obj"\r\nContent-Type: application/json\r\n\r\n{"A":[1152921504606846976]}\r\n')
    expect(text).toContain(Buffer.from(bytes).toString("latin1"))
    expect(text).not.toContain("Skip")
    expect(text.endsWith("--b0undary--\r\n")).toBe(true)
    expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKIDtest", "secret-key", "cvm"))
  })

  it("a lone surrogate in a GET parameter is sent as U+FFFD instead of throwing", () => {
    const signed = Signer.signTc3(baseRequest({ method: "GET", params: { A: "x\uD800y", B: "\uDC00", C: "😀" } }), c, 1700000000)
    expect(signed.url).toBe("https://cvm.tencentcloudapi.com/?A=x%EF%BF%BDy&B=%EF%BF%BD&C=%F0%9F%98%80")
    expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKIDtest", "secret-key", "cvm"))
    const v1 = Signer.signV1("HmacSHA1", baseRequest({ method: "GET", params: { A: "x\uD800y" } }), c, 1700000000, 1)
    const sent = [...new URLSearchParams(v1.url.slice(v1.url.indexOf("?") + 1))]
    const sig = sent.find((p) => p[0] === "Signature")![1]
    expect(Signer.v1Signature("HmacSHA1", "secret-key", Signer.v1StringToSign("GET", "cvm.tencentcloudapi.com", "/", sent.filter((p) => p[0] !== "Signature")))).toBe(sig)
  })

  it("multipart without a boundary gets a deterministic one", () => {
    const a = Signer.signTc3(baseRequest({ body: { _tag: "Multipart" } }), c, 1700000000)
    const b = Signer.signTc3(baseRequest({ body: { _tag: "Multipart" } }), c, 1700000000)
    expect(a.headers["Content-Type"]).toMatch(/^multipart\/form-data; boundary=----effect-tencentcloud-[0-9a-f]{24}$/)
    expect(a).toEqual(b)
  })
})

describe("signV1", () => {
  const c = cred("AKIDv1", "v1-secret", "tok")

  it("POST: form body with RFC 3986 encoding; the sign string uses raw values", () => {
    const signed = Signer.signV1("HmacSHA256", baseRequest({ params: { Name: "a b+中", List: ["x"] }, requestClient: "rc" }), c, 1700000000.99, 42)
    expect(signed.url).toBe("https://cvm.tencentcloudapi.com/")
    expect(signed.headers["Content-Type"]).toBe("application/x-www-form-urlencoded")
    const sent = new URLSearchParams(signed.body as string)
    expect(sent.get("Name")).toBe("a b+中")
    expect(sent.get("Timestamp")).toBe("1700000000")
    expect(sent.get("Token")).toBe("tok")
    expect(sent.get("RequestClient")).toBe("rc")
    const s =
      "POSTcvm.tencentcloudapi.com/?Action=DescribeInstances&List.0=x&Name=a b+中&Nonce=42&Region=ap-guangzhou&RequestClient=rc&SecretId=AKIDv1&SignatureMethod=HmacSHA256&Timestamp=1700000000&Token=tok&Version=2017-03-12"
    expect(sent.get("Signature")).toBe(createHmac("sha256", "v1-secret").update(s).digest("base64"))
  })

  it("the common parameters win over caller parameters of the same name, each sent once", () => {
    const signed = Signer.signV1(
      "HmacSHA1",
      baseRequest({ method: "GET", params: { Action: "Evil", Nonce: 1, Signature: "forged", Limit: 1 } }),
      cred("AKIDv1", "v1-secret"),
      1700000000,
      7
    )
    const sent = new URLSearchParams(signed.url.slice(signed.url.indexOf("?") + 1))
    expect(sent.getAll("Action")).toEqual(["DescribeInstances"])
    expect(sent.getAll("Nonce")).toEqual(["7"])
    expect(sent.getAll("Signature")).toHaveLength(1)
    expect(sent.getAll("Signature")[0]).not.toBe("forged")
  })

  it("signs the host with its port", () => {
    const a = Signer.signV1("HmacSHA1", baseRequest({ host: "h:1" }), c, 1, 1)
    const b = Signer.signV1("HmacSHA1", baseRequest({ host: "h:2" }), c, 1, 1)
    expect(new URLSearchParams(a.body as string).get("Signature")).not.toBe(new URLSearchParams(b.body as string).get("Signature"))
  })
})

describe("Signer service", () => {
  const c = cred("AKIDsvc", "svc-secret")

  it.effect("layerTc3 signs with TC3 and caches derived keys", () =>
    Effect.gen(function* () {
      const signer = yield* Signer.Signer
      expect(signer.method).toBe("TC3-HMAC-SHA256")
      const signed = signer.sign(baseRequest(), c, 1700000000, 0)
      expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKIDsvc", "svc-secret", "cvm"))
    }).pipe(Effect.provide(Signer.layerTc3)))

  it.effect("layer(HmacSHA256) signs v1, and lays skip-sign requests out as TC3 with SKIP", () =>
    Effect.gen(function* () {
      const signer = yield* Signer.Signer
      const v1 = signer.sign(baseRequest(), c, 1700000000, 9)
      expect(new URLSearchParams(v1.body as string).get("SignatureMethod")).toBe("HmacSHA256")
      const skip = signer.sign(baseRequest({ skipSign: true }), c, 1700000000, 9)
      expect(skip.headers["Authorization"]).toBe("SKIP")
      expect(skip.headers["X-TC-Action"]).toBe("DescribeInstances")
      expect(skip.body).toBe('{"Limit":1}')
    }).pipe(Effect.provide(Signer.layer("HmacSHA256"))))
})

// -------------------------------------------------------------------------------------------
// 3. Properties
// -------------------------------------------------------------------------------------------

const fc = FastCheck

interface Material {
  readonly method: "GET" | "POST"
  readonly host: string
  readonly query: string
  readonly contentType: string
  readonly body: Uint8Array
  readonly ts: number
  readonly service: string
  readonly secret: string
}

const signMaterial = (m: Material): string =>
  Signer.tc3Signature(
    Signer.tc3SigningKey(m.secret, Signer.utcDate(m.ts), m.service),
    Signer.tc3StringToSign(
      m.ts,
      m.service,
      Signer.tc3CanonicalRequest({
        method: m.method,
        canonicalQuery: m.query,
        contentType: m.contentType,
        host: m.host,
        payloadHash: Signer.sha256Hex(m.body)
      })
    )
  )

const mutateString = (s: string, pos: number, delta: number): string => {
  if (s.length === 0) return String.fromCharCode(33 + (delta % 90))
  const i = pos % s.length
  const c = s.charCodeAt(i)
  // a different printable ASCII character (or a different code unit for non-ASCII)
  const d = c < 127 ? 33 + ((c - 33 + 1 + (delta % 92)) % 94) : c ^ (1 + (delta % 255))
  return s.slice(0, i) + String.fromCharCode(d) + s.slice(i + 1)
}

const materialArb: FastCheck.Arbitrary<Material> = fc.record({
  method: fc.constantFrom("GET" as const, "POST" as const),
  host: fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}(\.[a-z0-9-]{1,10}){1,3}$/), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })).map(([h, p]) => (p === undefined ? h : `${h}:${p}`)),
  query: fc.string({ maxLength: 40 }),
  contentType: fc.constantFrom("application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=abc", "application/octet-stream"),
  body: fc.uint8Array({ maxLength: 64 }),
  ts: fc.integer({ min: 0, max: 4102444800 }),
  service: fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/),
  secret: fc.string({ minLength: 1, maxLength: 40 })
})

const FIELDS = ["method", "host", "port", "query", "contentType", "body", "ts", "service", "secret"] as const

const mutate = (m: Material, field: (typeof FIELDS)[number], pos: number, delta: number): Material => {
  switch (field) {
    case "method":
      return { ...m, method: m.method === "GET" ? "POST" : "GET" }
    case "host":
      return { ...m, host: mutateString(m.host, pos, delta) }
    case "port": {
      const i = m.host.indexOf(":")
      const port = i < 0 ? undefined : Number(m.host.slice(i + 1))
      const base = i < 0 ? m.host : m.host.slice(0, i)
      const next = port === undefined ? 443 : port === 65535 ? 1 : port + 1 + (delta % (65535 - port))
      return { ...m, host: `${base}:${next}` }
    }
    case "query":
      return { ...m, query: mutateString(m.query, pos, delta) }
    case "contentType":
      return { ...m, contentType: mutateString(m.contentType, pos, delta) }
    case "body": {
      if (m.body.length === 0) return { ...m, body: new Uint8Array([delta % 256]) }
      const b = new Uint8Array(m.body)
      b[pos % b.length] ^= 1 + (delta % 255)
      return { ...m, body: b }
    }
    case "ts":
      return { ...m, ts: m.ts + 1 + (delta % 100000) }
    case "service":
      return { ...m, service: mutateString(m.service, pos, delta) }
    case "secret":
      return { ...m, secret: mutateString(m.secret, pos, delta) }
  }
}

describe("properties: TC3", () => {
  it.prop(
    "changing any signed byte (method, host, port, query, content-type, body, timestamp, service, secret) changes the signature",
    [materialArb, fc.constantFrom(...FIELDS), fc.nat(), fc.nat()],
    ([m, field, pos, delta]) => {
      const m2 = mutate(m, field, pos, delta)
      expect(m2).not.toEqual(m)
      expect(signMaterial(m2)).not.toBe(signMaterial(m))
    },
    { fastCheck: { numRuns: 400 } }
  )

  it.prop(
    "changing a parameter, the host or the timestamp of a whole request changes its Authorization",
    [
      fc.constantFrom("GET" as const, "POST" as const),
      fc.dictionary(fc.stringMatching(/^[A-Z][A-Za-z]{0,6}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { minKeys: 1, maxKeys: 4 }),
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 4000000000 })
    ],
    ([method, params, extra, ts]) => {
      const c = cred("AKID", "k")
      const a = Signer.signTc3(baseRequest({ method, params }), c, ts)
      const b = Signer.signTc3(baseRequest({ method, params: { ...params, Zz_Extra: extra } }), c, ts)
      const h = Signer.signTc3(baseRequest({ method, params, host: "cvm.ap-guangzhou.tencentcloudapi.com" }), c, ts)
      const t = Signer.signTc3(baseRequest({ method, params }), c, ts + 1)
      expect(new Set([a, b, h, t].map((r) => r.headers["Authorization"])).size).toBe(4)
    }
  )

  it.prop(
    "the credential-scope date is the UTC date of the floored timestamp",
    [fc.double({ min: 0, max: 4102444800, noNaN: true })],
    ([ts]) => {
      const expected = new Date(Math.floor(ts) * 1000).toISOString().slice(0, 10)
      expect(Signer.utcDate(ts)).toBe(expected)
      const sts = Signer.tc3StringToSign(ts, "cvm", "x").split("\n")
      expect(sts[1]).toBe(String(Math.floor(ts)))
      expect(sts[2]).toBe(`${expected}/cvm/tc3_request`)
    }
  )

  it.prop(
    "around UTC midnight: a timestamp before midnight (even by a millisecond) signs the previous day",
    [fc.integer({ min: 1, max: 47000 }), fc.double({ min: -3, max: 3, noNaN: true })],
    ([day, offset]) => {
      const midnight = day * 86400
      const ts = midnight + offset
      const dayOf = ts < midnight ? day - 1 : day
      const expected = new Date(dayOf * 86400000).toISOString().slice(0, 10)
      const signed = Signer.signTc3(baseRequest(), cred("AKID", "k"), ts)
      expect(signed.headers["X-TC-Timestamp"]).toBe(String(Math.floor(ts)))
      expect(AUTH_RE.exec(signed.headers["Authorization"])![2]).toBe(expected)
      expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKID", "k", "cvm"))
    }
  )

  it("a few fixed instants around midnight (fractional seconds are floored, not rounded)", () => {
    const midnight = Date.UTC(2024, 2, 1) / 1000 // leap year: 2024-02-29 → 2024-03-01
    expect(Signer.utcDate(midnight - 0.001)).toBe("2024-02-29")
    expect(Signer.utcDate(midnight - 0.5)).toBe("2024-02-29")
    expect(Signer.utcDate(midnight)).toBe("2024-03-01")
    expect(Signer.utcDate(midnight + 0.999)).toBe("2024-03-01")
    expect(Signer.tc3StringToSign(midnight - 0.4, "cvm", "").split("\n")[1]).toBe(String(midnight - 1))
  })

  it.prop(
    "skip-sign gives Authorization: SKIP, no token and no credential, for every signer",
    [fc.constantFrom<Signer.SignatureMethod>("TC3-HMAC-SHA256", "HmacSHA256", "HmacSHA1"), fc.constantFrom("GET" as const, "POST" as const), fc.dictionary(fc.string(), fc.string())],
    ([algorithm, method, params]) => {
      const signed = Signer.make(algorithm).sign(baseRequest({ method, params, skipSign: true }), cred("AKIDskip", "k", "tok"), 1700000000, 5)
      expect(signed.headers["Authorization"]).toBe("SKIP")
      expect(signed.headers["X-TC-Token"]).toBeUndefined()
      expect(JSON.stringify(signed)).not.toContain("AKIDskip")
      expect(signed.headers["X-TC-Action"]).toBe("DescribeInstances")
    }
  )

  it.prop(
    "unsigned payload: X-TC-Content-SHA256: UNSIGNED-PAYLOAD, the hash of that string is signed, the body is not",
    [fc.constantFrom("GET" as const, "POST" as const), fc.dictionary(fc.string(), fc.string()), fc.dictionary(fc.string(), fc.string())],
    ([method, p1, p2]) => {
      const c = cred("AKID", "k")
      const a = Signer.signTc3(baseRequest({ method: "POST", params: p1, unsignedPayload: true }), c, 1700000000)
      const b = Signer.signTc3(baseRequest({ method: "POST", params: p2, unsignedPayload: true }), c, 1700000000)
      expect(a.headers["X-TC-Content-SHA256"]).toBe("UNSIGNED-PAYLOAD")
      expect(a.headers["Authorization"]).toBe(b.headers["Authorization"])
      const g = Signer.signTc3(baseRequest({ method, params: p1, unsignedPayload: true }), c, 1700000000)
      const q = g.url.indexOf("?")
      const canonical = Signer.tc3CanonicalRequest({
        method,
        canonicalQuery: q < 0 ? "" : g.url.slice(q + 1),
        contentType: g.headers["Content-Type"],
        host: "cvm.tencentcloudapi.com",
        payloadHash: sha256("UNSIGNED-PAYLOAD")
      })
      const sig = Signer.tc3Signature(Signer.tc3SigningKey("k", "2023-11-14", "cvm"), Signer.tc3StringToSign(1700000000, "cvm", canonical))
      expect(AUTH_RE.exec(g.headers["Authorization"])![4]).toBe(sig)
    }
  )

  it.prop(
    "octet-stream: the exact bytes are sent and hashed; flipping one byte changes the signature",
    [fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.nat(), fc.integer({ min: 1, max: 255 })],
    ([bytes, pos, x]) => {
      const c = cred("AKID", "k")
      const signed = Signer.signTc3(baseRequest({ body: { _tag: "OctetStream", bytes } }), c, 1700000000)
      expect(signed.body).toBe(bytes)
      expect(signed.headers["Content-Type"]).toBe("application/octet-stream")
      expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKID", "k", "cvm"))
      const flipped = new Uint8Array(bytes)
      flipped[pos % flipped.length] ^= x
      const other = Signer.signTc3(baseRequest({ body: { _tag: "OctetStream", bytes: flipped } }), c, 1700000000)
      expect(other.headers["Authorization"]).not.toBe(signed.headers["Authorization"])
    }
  )

  it.prop(
    "multipart: the signature covers exactly the body bytes returned",
    [fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/), fc.oneof(fc.string(), fc.integer(), fc.uint8Array({ maxLength: 32 }), fc.boolean()), { maxKeys: 5 }), fc.stringMatching(/^[A-Za-z0-9]{1,40}$/)],
    ([params, boundary]) => {
      const signed = Signer.signTc3(baseRequest({ params, body: { _tag: "Multipart", boundary } }), cred("AKID", "k"), 1700000000)
      expect(signed.headers["Content-Type"]).toBe(`multipart/form-data; boundary=${boundary}`)
      expect(signed.body).toBeInstanceOf(Uint8Array)
      expect(signed.headers["Authorization"]).toBe(recomputeTc3(signed, "AKID", "k", "cvm"))
    }
  )
})

describe("properties: derived-key cache", () => {
  it.prop(
    "returns the uncached key for every (id, secret, date, service), never a key of another secret",
    [
      fc.array(
        fc.tuple(fc.constantFrom("AKID1", "AKID2"), fc.constantFrom("s1", "s2", "s3"), fc.constantFrom("2024-01-01", "2024-01-02"), fc.constantFrom("cvm", "cbs")),
        { minLength: 1, maxLength: 60 }
      ),
      fc.integer({ min: 1, max: 4 })
    ],
    ([ops, max]) => {
      const cache = Signer.makeKeyCache(max)
      for (const [id, secret, date, service] of ops) {
        const got = Buffer.from(cache.get(id, secret, date, service)).toString("hex")
        expect(got).toBe(Signer.tc3SigningKey(secret, date, service).toString("hex"))
      }
    }
  )

  it("a rotated secret for the same id, day and service gets a fresh key", () => {
    const cache = Signer.makeKeyCache()
    const k1 = Buffer.from(cache.get("AKID", "old", "2024-01-01", "cvm")).toString("hex")
    const k2 = Buffer.from(cache.get("AKID", "new", "2024-01-01", "cvm")).toString("hex")
    expect(k1).not.toBe(k2)
    expect(k2).toBe(Signer.tc3SigningKey("new", "2024-01-01", "cvm").toString("hex"))
  })

  it("signing through the Signer service (cached) equals signing without a cache", () => {
    const signer = Signer.make("TC3-HMAC-SHA256")
    for (const [secret, ts] of [["a", 1700000000], ["b", 1700000000], ["a", 1700086400], ["a", 1700000001]] as const) {
      expect(signer.sign(baseRequest(), cred("AKID", secret), ts, 0)).toEqual(Signer.signTc3(baseRequest(), cred("AKID", secret), ts))
    }
  })
})

// v1 flattening ------------------------------------------------------------------------------

type Tree = string | number | bigint | boolean | ReadonlyArray<Tree> | { readonly [k: string]: Tree }

const keyArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,7}$/)
const scalarArb: FastCheck.Arbitrary<Tree> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  fc.constantFrom("中文", "😀", "a.b", "=&")
)
const treeArb: FastCheck.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarArb,
    fc.array(tie("node"), { minLength: 1, maxLength: 13 }),
    fc.dictionary(keyArb, tie("node"), { minKeys: 1, maxKeys: 4 })
  )
})).node
const paramsArb = fc.dictionary(keyArb, treeArb, { maxKeys: 5 })

const stringifyLeaves = (t: Tree): unknown =>
  Array.isArray(t)
    ? t.map(stringifyLeaves)
    : typeof t === "object"
      ? Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stringifyLeaves(v)]))
      : String(t)

/** Rebuild a tree from flattened pairs: numeric segments are list indices. */
const unflatten = (pairs: ReadonlyArray<readonly [string, string]>): Record<string, unknown> => {
  const root: Record<string, unknown> = {}
  for (const [path, value] of pairs) {
    const segs = path.split(".")
    let node: any = root
    for (let i = 0; i < segs.length - 1; i++) {
      if (!Object.hasOwn(node, segs[i])) node[segs[i]] = /^\d+$/.test(segs[i + 1]) ? [] : {}
      node = node[segs[i]]
    }
    node[segs[segs.length - 1]] = value
  }
  return root
}

/** Sprinkle null, undefined, [] and {} into a tree: they must not change the flattening. */
const withNoise = (t: Tree, n: number): unknown => {
  if (Array.isArray(t)) return t.map((x) => withNoise(x, n + 1))
  if (typeof t === "object") {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(t)) out[k] = withNoise(v as Tree, n + 1)
    // never overwrite a generated member that happens to have the same name
    const noiseKey = ["Nul", "Und", "EmptyList", "EmptyObj"][n % 4]
    if (!(noiseKey in out)) out[noiseKey] = [null, undefined, [], {}][n % 4]
    return out
  }
  return t
}

describe("properties: v1Flatten and the v1 sign string", () => {
  it.prop("unflatten(v1Flatten(x)) rebuilds x with its leaves as strings", [paramsArb], ([params]) => {
    const pairs = Signer.v1Flatten(params)
    expect(unflatten(pairs)).toEqual(stringifyLeaves(params))
    expect(new Set(pairs.map((p) => p[0])).size).toBe(pairs.length)
    expect(Signer.v1Flatten(unflatten(pairs))).toEqual(pairs)
  })

  it.prop("null, undefined, empty lists and empty objects vanish", [paramsArb], ([params]) => {
    expect(Signer.v1Flatten(withNoise(params, 0))).toEqual(Signer.v1Flatten(params))
  })

  it("Filters.0.Values.1 style keys, booleans and big integers", () => {
    expect(
      Signer.v1Flatten({
        Filters: [{ Name: "zone", Values: ["ap-guangzhou-1", "ap-guangzhou-2"] }],
        DryRun: false,
        Id: 2n ** 64n,
        Gone: null,
        Empty: [],
        Nested: { A: { B: 1.5 } }
      })
    ).toEqual([
      ["Filters.0.Name", "zone"],
      ["Filters.0.Values.0", "ap-guangzhou-1"],
      ["Filters.0.Values.1", "ap-guangzhou-2"],
      ["DryRun", "false"],
      ["Id", "18446744073709551616"],
      ["Nested.A.B", "1.5"]
    ])
  })

  it("plain string sort: InstanceIds.10 sorts before InstanceIds.2", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `ins-${i}`)
    const s = Signer.v1StringToSign("GET", "h", "/", Signer.v1Flatten({ InstanceIds: ids }))
    expect(s).toBe(
      "GETh/?InstanceIds.0=ins-0&InstanceIds.1=ins-1&InstanceIds.10=ins-10&InstanceIds.11=ins-11&InstanceIds.2=ins-2&InstanceIds.3=ins-3&InstanceIds.4=ins-4&InstanceIds.5=ins-5&InstanceIds.6=ins-6&InstanceIds.7=ins-7&InstanceIds.8=ins-8&InstanceIds.9=ins-9"
    )
  })

  it.prop(
    "the sign string lists keys in plain string order, whatever the input order, with raw values",
    [paramsArb, fc.integer()],
    ([params, seed]) => {
      const pairs = Signer.v1Flatten(params)
      const shuffled = [...pairs]
      let r = seed
      for (let i = shuffled.length - 1; i > 0; i--) {
        r = (Math.imul(r, 1103515245) + 12345) | 0
        const j = Math.abs(r) % (i + 1)
        ;[shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]]
      }
      const s = Signer.v1StringToSign("post", "cvm.tencentcloudapi.com", "/", shuffled)
      expect(s).toBe(Signer.v1StringToSign("POST", "cvm.tencentcloudapi.com", "/", pairs))
      const keys = [...pairs.map((p) => p[0])].sort()
      expect(s).toBe("POSTcvm.tencentcloudapi.com/?" + keys.map((k) => `${k}=${pairs.find((p) => p[0] === k)![1]}`).join("&"))
    }
  )

  it.prop(
    "v1: changing the method, host, a parameter value or the secret changes the signature",
    [paramsArb.filter((p) => Signer.v1Flatten(p).length > 0), fc.nat(), fc.nat(), fc.constantFrom("method", "host", "value", "secret")],
    ([params, pos, delta, field]) => {
      const pairs = Signer.v1Flatten(params)
      const sig = (method: string, host: string, ps: typeof pairs, secret: string) =>
        Signer.v1Signature("HmacSHA256", secret, Signer.v1StringToSign(method, host, "/", ps))
      const before = sig("POST", "cvm.tencentcloudapi.com", pairs, "secret")
      let after: string
      if (field === "method") after = sig("GET", "cvm.tencentcloudapi.com", pairs, "secret")
      else if (field === "host") after = sig("POST", mutateString("cvm.tencentcloudapi.com", pos, delta), pairs, "secret")
      else if (field === "secret") after = sig("POST", "cvm.tencentcloudapi.com", pairs, mutateString("secret", pos, delta))
      else {
        const i = pos % pairs.length
        const changed = pairs.map((p, j) => (j === i ? ([p[0], mutateString(p[1], delta, delta)] as [string, string]) : p))
        after = sig("POST", "cvm.tencentcloudapi.com", changed, "secret")
      }
      expect(after).not.toBe(before)
    }
  )
})

describe("derived-key cache and date memo", () => {
  it("gives the key of the secret, date and service asked for, whatever the order of requests (rotation included)", () => {
    const cache = Signer.makeKeyCache(4)
    const sample = FastCheck.sample(
      FastCheck.array(FastCheck.record({ id: FastCheck.constantFrom("AKID1", "AKID2"), key: FastCheck.constantFrom("k1", "k2", "k3"), day: FastCheck.integer({ min: 19000, max: 19003 }), service: FastCheck.constantFrom("cvm", "vpc", "cbs") }), { minLength: 1, maxLength: 40 }),
      { numRuns: 50, seed: 11 }
    )
    for (const run of sample) {
      for (const r of run) {
        // alternating days exercise the date memo both ways
        const date = Signer.utcDate(r.day * 86400 + 3600)
        expect(date).toBe(new Date(r.day * 86400_000).toISOString().slice(0, 10))
        expect(Buffer.from(cache.get(r.id, r.key, date, r.service)).toString("hex")).toBe(Signer.tc3SigningKey(r.key, date, r.service).toString("hex"))
      }
    }
  })
})

describe("one-shot hashing", () => {
  it.prop(
    "hashHex gives Node's Hash object's digest for any text or bytes, SHA-256 and SHA-1",
    [FastCheck.oneof(FastCheck.string({ unit: "binary", maxLength: 300 }), FastCheck.uint8Array({ maxLength: 300 })), FastCheck.constantFrom("sha256", "sha1")],
    ([data, algorithm]) => {
      expect(hashHex(algorithm, data)).toBe(createHash(algorithm).update(data).digest("hex"))
      if (algorithm === "sha256") expect(Signer.sha256Hex(data)).toBe(createHash("sha256").update(data).digest("hex"))
    }
  )
})
