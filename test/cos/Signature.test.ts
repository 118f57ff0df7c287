import { describe, expect, it } from "@effect/vitest"
import { createHmac } from "node:crypto"
import * as fc from "effect/FastCheck"
import * as Signature from "../../src/cos/Signature.js"

const DOC_ID = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q"
const DOC_KEY = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz"
const HOST = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com"

describe("COS XML signature: the documentation's worked examples (436/7778)", () => {
  it("PUT /exampleobject(腾讯云) with signed Content-*, Date, Host and x-cos-* headers", () => {
    const s = Signature.steps({
      secretId: DOC_ID,
      secretKey: DOC_KEY,
      method: "PUT",
      key: "exampleobject(腾讯云)",
      headers: {
        Date: "Thu, 16 May 2019 06:45:51 GMT",
        Host: HOST,
        "Content-Type": "text/plain",
        "Content-Length": "13",
        "Content-MD5": "mQ/fVh815F3k6TAUm8m0eg==",
        "x-cos-acl": "private",
        "x-cos-grant-read": 'uin="100000000011"'
      },
      startSeconds: 1557989151,
      endSeconds: 1557996351
    })
    expect(s.signKey).toBe("eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f")
    expect(s.headerList).toBe("content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read")
    expect(s.urlParamList).toBe("")
    expect(s.stringToSign).toBe("sha1\n1557989151;1557996351\n8b2751e77f43a0995d6e9eb9477f4b685cca4172\n")
    expect(s.signature).toBe("3b8851a11a569213c17ba8fa7dcf2abec6935172")
    expect(s.authorization).toBe(
      `q-sign-algorithm=sha1&q-ak=${DOC_ID}&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351` +
        "&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read&q-url-param-list=" +
        "&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172"
    )
  })

  it("GET with response-* parameters", () => {
    const s = Signature.steps({
      secretId: DOC_ID,
      secretKey: DOC_KEY,
      method: "GET",
      key: "exampleobject(腾讯云)",
      query: { "response-content-type": "application/octet-stream", "response-cache-control": "max-age=600" },
      headers: { Date: "Thu, 16 May 2019 06:55:53 GMT", Host: HOST },
      startSeconds: 1557989753,
      endSeconds: 1557996953
    })
    expect(s.urlParamList).toBe("response-cache-control;response-content-type")
    expect(s.stringToSign).toBe("sha1\n1557989753;1557996953\n54ecfe22f59d3514fdc764b87a32d8133ea611e6\n")
    expect(s.signature).toBe("01681b8c9d798a678e43b685a9f1bba0f6c0e012")
  })
})

describe("COS v4 signatures", () => {
  const base = { appId: "200001", bucket: "newbucket", secretId: "AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv", secretKey: "bLcPnl88WU30VY57ipRhSePfPdOfSruK" }

  it("reproduces the v4 documentation's multi-use example (f= unbound)", () => {
    const sign = Signature.v4MultiUse({ ...base, nowSeconds: 1437995644, random: 2081660421, path: "", expiresSeconds: 1437995704 })
    const d = Signature.v4Decode(sign)!
    expect(Buffer.from(d.mac).toString("hex")).toMatch(/^bf1ccb47.*31e5$/)
    expect(Buffer.from(sign, "base64").subarray(20).toString()).toBe(
      "a=200001&k=AKIDUfLUEUigQiXqm7CVSspKJnuaiIKtxqAv&e=1437995704&t=1437995644&r=2081660421&f=&b=newbucket"
    )
    expect(Signature.v4Verify(sign, base.secretKey)).toBe(true)
    expect(Signature.v4Verify(sign, "wrong")).toBe(false)
  })

  it("single-use binds the file id with e=0; download binds the quoted path alone", () => {
    const once = Signature.v4Decode(Signature.v4SingleUse({ ...base, nowSeconds: 1000, random: 7, path: "/dir/a b+c(1).txt" }))!
    expect(once.fields.get("e")).toBe("0")
    expect(once.fields.get("f")).toBe("/200001/newbucket/dir/a%20b%2Bc%281%29.txt")
    const dl = Signature.v4Decode(Signature.v4Download({ ...base, nowSeconds: 1000, random: 7, path: "dir/猫~.jpg", durationSeconds: 300 }))!
    expect(dl.fields.get("e")).toBe("1300")
    expect(dl.fields.get("f")).toBe("/dir/%E7%8C%AB~.jpg")
  })

  it.prop("every v4 signature verifies with its key and carries its fields", [fc.string(), fc.nat(), fc.nat({ max: 4294967295 })], ([path, now, random]) => {
    const s = Signature.v4MultiUse({ ...base, nowSeconds: now, random, path: "/" + path, expiresSeconds: now + 60 })
    const d = Signature.v4Decode(s)!
    expect(Signature.v4Verify(s, base.secretKey)).toBe(true)
    expect(d.fields.get("t")).toBe(String(now))
    expect(d.fields.get("r")).toBe(String(random))
    const mac = createHmac("sha1", base.secretKey).update(Buffer.from(s, "base64").subarray(20)).digest()
    expect(Buffer.from(d.mac).equals(mac)).toBe(true)
  })
})

describe("COS XML signature: properties", () => {
  const arbMap = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 5 })
  const arbInput = fc.record({
    method: fc.constantFrom("GET", "put", "Post", "DELETE", "HEAD"),
    key: fc.string({ maxLength: 30 }),
    query: arbMap,
    headers: arbMap,
    startSeconds: fc.integer({ min: 1e9, max: 2e9 })
  })

  it.prop("the header and parameter lists are sorted, lower-case and name every signed entry", [arbInput], ([i]) => {
    const s = Signature.steps({ ...i, secretId: "id", secretKey: "key", endSeconds: i.startSeconds + 60 })
    for (const [list, m] of [[s.headerList, i.headers], [s.urlParamList, i.query]] as const) {
      const names = list === "" ? [] : list.split(";")
      expect(names.length).toBe(Object.keys(m).length)
      expect([...names].sort()).toEqual(names)
      for (const n of names) expect(n).toBe(n.toLowerCase())
    }
    expect(s.httpString.startsWith(i.method.toLowerCase() + "\n/" + i.key + "\n")).toBe(true)
  })

  it.prop("any change of method, key, parameter or time changes the signature", [arbInput, fc.string({ minLength: 1, maxLength: 4 })], ([i, extra]) => {
    const input = { ...i, secretId: "id", secretKey: "key", endSeconds: i.startSeconds + 60 }
    const sig = Signature.steps(input).signature
    expect(Signature.steps({ ...input, key: i.key + extra }).signature).not.toBe(sig)
    expect(Signature.steps({ ...input, endSeconds: input.endSeconds + 1 }).signature).not.toBe(sig)
    expect(Signature.steps({ ...input, secretKey: "key2" }).signature).not.toBe(sig)
    expect(Signature.steps({ ...input, query: { ...i.query, ["zz" + extra]: "v" } }).signature).not.toBe(sig)
  })

  it.prop("parseAuthorization reads back what authorization wrote", [arbInput], ([i]) => {
    const a = Signature.authorization({ ...i, secretId: "AKIDx", secretKey: "k", endSeconds: i.startSeconds + 5 })
    const p = Signature.parseAuthorization(a)!
    expect(p.secretId).toBe("AKIDx")
    expect(p.keyTime).toBe(`${i.startSeconds};${i.startSeconds + 5}`)
    expect(p.headerList.length).toBe(Object.keys(i.headers).length)
  })
})
