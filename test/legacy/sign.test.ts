/**
 * API 2.0 signing, checked three ways that do not trust our signer:
 * 1. the worked example of the API 2.0 signature documentation (签名方法, `cvm.api.qcloud.com`,
 *    `/v2/index.php`) and the signature vectors published with the official Python SDK's tests;
 * 2. `generateUrl` / `signUrl` vectors computed here with `node:crypto` from the documented rule
 *    (sort, `name=value` raw, `_` read as `.`, HMAC, base64) over hand-flattened parameters;
 * 3. properties: the parameters are sorted and flattened, a URL verifies against the reference
 *    after decoding, and any change to what is signed changes the signature.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import { createHmac } from "node:crypto"
import { Legacy } from "../../src/legacy/index.js"

/** The documented rule, written out here: the signature over decoded parameters. */
const reference = (
  method: string,
  host: string,
  path: string,
  params: ReadonlyArray<readonly [string, string]>,
  secretKey: string,
  signatureMethod: "HmacSHA1" | "HmacSHA256"
): { text: string; signature: string } => {
  const named = params.filter(([k]) => k !== "Signature").map(([k, v]) => [k.replace(/_/g, "."), v] as const)
  named.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const text = `${method}${host}${path}?${named.map(([k, v]) => `${k}=${v}`).join("&")}`
  return { text, signature: createHmac(signatureMethod === "HmacSHA256" ? "sha256" : "sha1", secretKey).update(text, "utf8").digest("base64") }
}

/** RFC 3986 encoding, written out here. */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())

/** The expected URL: sorted parameters, `Signature` last, each encoded. */
const expectedUrl = (base: string, params: ReadonlyArray<readonly [string, string]>, signature: string) => {
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `${base}?${[...sorted, ["Signature", signature] as const].map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&")}`
}

const queryOf = (url: string): Array<[string, string]> => [...new URL(url).searchParams.entries()]

const unwrap = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`unexpected Left: ${JSON.stringify(e.left)}`)
  return e.right
}

describe("the API 2.0 signature documentation's worked example", () => {
  // 签名方法 (API 2.0): GET cvm.api.qcloud.com/v2/index.php DescribeInstances, InstanceIds.0=ins-09dx96dg,
  // Nonce 11886, Timestamp 1465185768, Region ap-guangzhou, SecretId AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA,
  // SecretKey Gu5t9xGARNpq86cd98joQYCN3Cozk1qA.
  const DOC = {
    secretId: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA",
    secretKey: "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA",
    text: "GETcvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Nonce=11886&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=HmacSHA256&Timestamp=1465185768",
    sha256: "0EEm/HtGRr/VJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s=",
    sha1: "RVSD1I6ip2Zo56I2HdqRVrt+1TE="
  }

  it("HmacSHA256: signUrl lays out the documented string and reaches the documented signature", () => {
    const url = unwrap(Legacy.signUrl({
      module: "cvm",
      action: "DescribeInstances",
      params: { InstanceIds: ["ins-09dx96dg"] },
      region: "ap-guangzhou",
      signatureMethod: "HmacSHA256",
      secretId: DOC.secretId,
      secretKey: DOC.secretKey,
      timestamp: 1465185768,
      nonce: 11886
    }))
    expect(url).toBe(
      "https://cvm.api.qcloud.com/v2/index.php?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Nonce=11886&Region=ap-guangzhou" +
        "&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA&SignatureMethod=HmacSHA256&Timestamp=1465185768&Signature=0EEm%2FHtGRr%2FVJXTAD9tYMth1Bzm3lLHz5RCDv1GdM8s%3D"
    )
    const pairs = queryOf(url)
    expect(Legacy.stringToSign("GET", "cvm.api.qcloud.com", "/v2/index.php", pairs.filter(([k]) => k !== "Signature"))).toBe(DOC.text)
  })

  it("HmacSHA1 over the same string (the page's HmacSHA1 figure)", () => {
    expect(createHmac("sha1", DOC.secretKey).update(DOC.text).digest("base64")).toBe(DOC.sha1)
    const signed = Legacy.sign({
      method: "GET",
      host: "cvm.api.qcloud.com",
      path: "/v2/index.php",
      action: "DescribeInstances",
      region: "ap-guangzhou",
      signatureMethod: "HmacSHA256",
      params: [["InstanceIds.0", "ins-09dx96dg"]],
      secretId: DOC.secretId,
      secretKey: DOC.secretKey,
      timestamp: 1465185768,
      nonce: 11886
    })
    expect(signed.stringToSign).toBe(DOC.text)
    expect(signed.signature).toBe(DOC.sha256)
  })
})

describe("the official Python qcloudapi SDK's published signature vectors", () => {
  // tests/unit/common/test_sign.py: cvm.api.qcloud.com /v2/index.php, SecretId secretIdFoo, key
  // secretKeyBar, Region ap-guangzhou, Nonce 1290303896666895346, Timestamp 1512393162,
  // Action DescribeInstances, Version 2017-03-12.
  const base = {
    host: "cvm.api.qcloud.com",
    path: "/v2/index.php",
    action: "DescribeInstances",
    region: "ap-guangzhou",
    params: [["Version", "2017-03-12"]] as const,
    secretId: "secretIdFoo",
    secretKey: "secretKeyBar",
    timestamp: 1512393162,
    nonce: 1290303896666895346n
  }
  it.each([
    ["POST", "HmacSHA1", "p3n+pxBqF5JGZtDSxoVn5tGngf0="],
    ["GET", "HmacSHA1", "5HAq1BOKNLEE2/uauWnp6Zv9Z3c="],
    ["POST", "HmacSHA256", "B2T37FRSP6Fk0/q/cdfrTE0p3zX5ooB/2BPWZUFpsj4="]
  ] as const)("%s %s", (method, signatureMethod, expected) => {
    expect(Legacy.sign({ ...base, method, signatureMethod }).signature).toBe(expected)
  })

  it("signUrl with the same inputs (GET, a nonce beyond 2^53)", () => {
    const url = unwrap(Legacy.signUrl({ module: "cvm", action: "DescribeInstances", params: { Version: "2017-03-12" }, region: "ap-guangzhou", secretId: "secretIdFoo", secretKey: "secretKeyBar", timestamp: 1512393162, nonce: 1290303896666895346n }))
    expect(new URL(url).searchParams.get("Signature")).toBe("5HAq1BOKNLEE2/uauWnp6Zv9Z3c=")
    expect(new URL(url).searchParams.get("Nonce")).toBe("1290303896666895346")
  })
})

describe("generateUrl vectors computed with node:crypto from the documented rule", () => {
  const KEY = { secretId: "AKIDvectors", secretKey: "vector-secret-key" }
  const cases: ReadonlyArray<{
    name: string
    module: string
    host: string
    params: Record<string, unknown>
    flat: ReadonlyArray<readonly [string, string]>
    signatureMethod: "HmacSHA1" | "HmacSHA256"
    region?: string
    token?: string
  }> = [
    {
      name: "sec CaptchaQuery (the seed's example), HmacSHA256",
      module: "sec",
      host: "csec.api.qcloud.com",
      params: { userIp: "127.0.0.1", businessId: 1, captchaType: 1, script: 0 },
      flat: [["userIp", "127.0.0.1"], ["businessId", "1"], ["captchaType", "1"], ["script", "0"]],
      signatureMethod: "HmacSHA256",
      region: "gz"
    },
    {
      name: "nested filters and lists, HmacSHA1",
      module: "cvm",
      host: "cvm.api.qcloud.com",
      params: { Filters: [{ Name: "zone", Values: ["ap-guangzhou-1", "ap-guangzhou-2"] }], instanceIds: ["ins-a", "ins-b"], limit: 10, simplify: true },
      flat: [["Filters.0.Name", "zone"], ["Filters.0.Values.0", "ap-guangzhou-1"], ["Filters.0.Values.1", "ap-guangzhou-2"], ["instanceIds.0", "ins-a"], ["instanceIds.1", "ins-b"], ["limit", "10"], ["simplify", "true"]],
      signatureMethod: "HmacSHA1",
      region: "ap-guangzhou"
    },
    {
      name: "raw values in the sign string: unicode, spaces, & = + / ?, an underscore name, a token, a big integer",
      module: "cdb",
      host: "cdb.api.qcloud.com",
      params: { remark: "中文 备注 & a=b+c/d?e", user_name: "x", id: 123456789012345678901234567890n },
      flat: [["remark", "中文 备注 & a=b+c/d?e"], ["user_name", "x"], ["id", "123456789012345678901234567890"]],
      signatureMethod: "HmacSHA256",
      token: "temporary-token-value"
    },
    {
      name: "a module outside the table: <module>.api.qcloud.com, no region",
      module: "newproduct",
      host: "newproduct.api.qcloud.com",
      params: {},
      flat: [],
      signatureMethod: "HmacSHA1"
    }
  ]

  for (const c of cases) {
    it(c.name, () => {
      const action = "SomeAction"
      const common: Array<readonly [string, string]> = [
        ["Action", action],
        ["Nonce", "424242"],
        ["SecretId", KEY.secretId],
        ["SignatureMethod", c.signatureMethod],
        ["Timestamp", "1700000000"]
      ]
      if (c.region) common.push(["Region", c.region])
      if (c.token) common.push(["Token", c.token])
      const all = [...c.flat, ...common]
      const { signature } = reference("GET", c.host, "/v2/index.php", all, KEY.secretKey, c.signatureMethod)
      const url = unwrap(Legacy.signUrl({ module: c.module, action, params: c.params, region: c.region, signatureMethod: c.signatureMethod, ...KEY, token: c.token, timestamp: 1700000000.9, nonce: 424242 }))
      expect(url).toBe(expectedUrl(`https://${c.host}/v2/index.php`, all, signature))
    })
  }
})

// -------------------------------------------------------------------------------------------------
// properties

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,7}$/)
const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constantFrom("中文", "a b", "x&y=z"))
const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(name, fc.oneof(leaf, fc.array(leaf, { maxLength: 2 })), { maxKeys: 3 }))
const params = fc.dictionary(name, value, { maxKeys: 5 }).filter((p) => !["Action", "Nonce", "SecretId", "Signature", "Timestamp", "Token", "Region", "SignatureMethod"].some((k) => k in p))
const input = fc.record({
  module: fc.constantFrom("cvm", "sec", "cdb", "lb", "anything"),
  params,
  signatureMethod: fc.constantFrom("HmacSHA1" as const, "HmacSHA256" as const),
  region: fc.constantFrom(undefined, "ap-guangzhou", "gz"),
  timestamp: fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
  nonce: fc.integer({ min: 1, max: 2147483647 })
})
const KEY = { secretId: "AKIDprop", secretKey: "prop-secret" }

describe("properties", () => {
  it.prop("the URL's parameters are sorted by name, Signature last, and it verifies against the documented rule after decoding", [input], ([i]) => {
    const url = unwrap(Legacy.signUrl({ ...i, action: "DescribeThings", ...KEY }))
    const u = new URL(url)
    const pairs = queryOf(url)
    const names = pairs.map(([k]) => k)
    expect(names[names.length - 1]).toBe("Signature")
    const rest = names.slice(0, -1)
    expect(rest).toEqual([...rest].sort())
    const { signature } = reference("GET", u.host, u.pathname, pairs, KEY.secretKey, i.signatureMethod)
    expect(u.searchParams.get("Signature")).toBe(signature)
  }, { fastCheck: { numRuns: 300 } })

  it.prop("every leaf is sent once, under its flattened name (A.0, A.k, A.k.0)", [params], ([p]) => {
    const url = unwrap(Legacy.signUrl({ module: "cvm", action: "X", params: p, ...KEY, timestamp: 1700000000, nonce: 1 }))
    const sent = new Map(queryOf(url))
    const expected: Array<[string, string]> = []
    const walk = (v: unknown, prefix: string): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${prefix}.${i}`))
      else if (typeof v === "object" && v !== null) for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${prefix}.${k}`)
      else expected.push([prefix, String(v)])
    }
    for (const k of Object.keys(p)) walk(p[k], k)
    for (const [k, v] of expected) expect(sent.get(k)).toBe(v)
    expect(sent.size).toBe(expected.length + 6) // Action Nonce SecretId SignatureMethod Timestamp Signature
  }, { fastCheck: { numRuns: 300 } })

  it.prop("any change to a parameter, the secret, the instant, the nonce, the region, the module or the method changes the signature", [
    input,
    fc.constantFrom("param", "newParam", "secret", "timestamp", "nonce", "region", "module", "signatureMethod"),
    fc.string({ minLength: 1, maxLength: 6 })
  ], ([i, what, noise]) => {
    const sig = (x: typeof i, secretKey = KEY.secretKey) =>
      new URL(unwrap(Legacy.signUrl({ ...x, action: "DescribeThings", secretId: KEY.secretId, secretKey }))).searchParams.get("Signature")
    const before = sig(i)
    const keys = Object.keys(i.params)
    const changed: typeof i =
      what === "param" && keys.length > 0 ? { ...i, params: { ...i.params, [keys[0]]: `${JSON.stringify(i.params[keys[0]])}${noise}` } }
      : what === "param" || what === "newParam" ? { ...i, params: { ...i.params, Zz9: noise } }
      : what === "timestamp" ? { ...i, timestamp: i.timestamp + 1 }
      : what === "nonce" ? { ...i, nonce: i.nonce === 1 ? 2 : i.nonce - 1 }
      : what === "region" ? { ...i, region: i.region === "sh" ? "bj" : "sh" }
      : what === "module" ? { ...i, module: i.module === "vpc" ? "cbs" : "vpc" }
      : what === "signatureMethod" ? { ...i, signatureMethod: i.signatureMethod === "HmacSHA1" ? "HmacSHA256" : "HmacSHA1" }
      : i
    const after = what === "secret" ? sig(i, KEY.secretKey + noise) : sig(changed)
    expect(after).not.toBe(before)
  }, { fastCheck: { numRuns: 400 } })
})
