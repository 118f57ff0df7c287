/**
 * Request parameters that cannot be sent (issue 14, items 2 and 3): every one is refused with the
 * member's path by the checked serialisers, the same rule in every layout (JSON body, GET query,
 * v1 form, multipart), and the strict request check refuses numbers outside their wire type.
 * The old serialisers threw (a defect) or silently altered the value: each case below says which.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Redacted from "effect/Redacted"
import type { Credential } from "../src/Credentials.js"
import * as Json from "../src/Json.js"
import * as Signer from "../src/Signer.js"
import * as C from "../src/internal/codec.js"
import { compileStrict, formatPath } from "../src/internal/schema.js"

const cred: Credential = { secretId: "AKIDEXAMPLE", secretKey: Redacted.make("SECRETKEY"), token: Redacted.make("TOKENVALUE") }

const circular = () => {
  const o: Record<string, unknown> = { Name: "a" }
  o.Self = { Back: o }
  return o
}
const deep = (n: number) => {
  const root: Record<string, unknown> = {}
  let cur = root
  for (let i = 0; i < n; i++) cur = (cur.X = {}) as Record<string, unknown>
  return root
}
const throwingToJSON = { A: [1, { toJSON: () => { throw new Error("boom") } }] }

const left = <A>(e: Either.Either<A, Json.Problem>): Json.Problem => {
  if (Either.isRight(e)) throw new Error(`expected a problem, got ${String(e.right).slice(0, 80)}`)
  return e.left
}

describe("Json.stringifyChecked (item 2: unserialisable params are a value, not a throw)", () => {
  it("refuses a circular object with the path where it loops (JSON.stringify throws)", () => {
    expect(() => Json.stringify(circular())).toThrow()
    expect(left(Json.stringifyChecked(circular()))).toMatchObject({ path: "Self.Back", problem: expect.stringContaining("circular") })
  })
  it("refuses 100,000-deep nesting without overflowing the stack", () => {
    expect(() => Json.stringify(deep(100_000))).toThrow(RangeError)
    const p = left(Json.stringifyChecked(deep(100_000)))
    expect(p.problem).toContain(`deeper than ${Json.MAX_DEPTH}`)
    expect(p.path.length).toBeLessThanOrEqual(201) // the path is cut, not 200,000 characters
    expect(Either.isRight(Json.stringifyChecked(deep(Json.MAX_DEPTH - 1)))).toBe(true)
  })
  it("refuses a toJSON that throws, naming the member", () => {
    expect(() => Json.stringify(throwingToJSON)).toThrow("boom")
    expect(left(Json.stringifyChecked(throwingToJSON))).toEqual({ path: "A[1]", problem: "its toJSON() threw (Error: boom)" })
  })
  it("refuses a getter that throws", () => {
    const o = { get Bad(): string { throw new TypeError("nope") } }
    expect(left(Json.stringifyChecked({ Outer: o }))).toMatchObject({ path: "Outer.Bad", problem: expect.stringContaining("nope") })
  })
  it("refuses text over the size limit before building it (a body V8 could not build is the same case)", () => {
    const big = "x".repeat(1024)
    expect(left(Json.stringifyChecked({ A: big, B: big }, { maxLength: 1500 }))).toMatchObject({ path: "B", problem: expect.stringContaining("over 1500") })
    expect(left(Json.stringifyChecked({ A: "y".repeat(Json.MAX_LENGTH) })).problem).toContain("size limit")
  })
  it("refuses functions and symbols (JSON.stringify drops them silently)", () => {
    expect(Json.stringify({ F: () => 1 })).toBe("{}")
    expect(left(Json.stringifyChecked({ F: () => 1 })).path).toBe("F")
    expect(left(Json.stringifyChecked([Symbol("s")])).path).toBe("[0]")
  })
  it("writes valid values exactly as stringify does: bigint bare, undefined dropped, toJSON honoured", () => {
    const v = { B: 12345678901234567890n, D: new Date(0), U: undefined, L: [undefined, 1, null], S: "é\n\"😀" }
    expect(Json.stringifyChecked(v)).toEqual(Either.right(Json.stringify(v)))
  })
  it.prop("agrees with JSON.stringify on every JSON value (shared, non-circular subtrees included)", [FastCheck.jsonValue({ maxDepth: 4 })], ([v]) => {
    const shared = { v }
    expect(Json.stringifyChecked({ a: shared, b: [shared, v] })).toEqual(Either.right(JSON.stringify({ a: shared, b: [shared, v] })))
  })
})

describe("numbers and text that cannot be sent (item 3): one rule in every layout", () => {
  const layouts = {
    "POST JSON (TC3)": (params: Record<string, unknown>) =>
      Signer.signTc3Checked({ method: "POST", scheme: "https", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "A", params }, cred, 1_700_000_000),
    "GET query (TC3)": (params: Record<string, unknown>) =>
      Signer.signTc3Checked({ method: "GET", scheme: "https", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "A", params }, cred, 1_700_000_000),
    "POST form (v1)": (params: Record<string, unknown>) =>
      Signer.signV1Checked("HmacSHA256", { method: "POST", scheme: "https", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "A", params }, cred, 1_700_000_000, 7),
    "GET query (v1)": (params: Record<string, unknown>) =>
      Signer.signV1Checked("HmacSHA1", { method: "GET", scheme: "https", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "A", params }, cred, 1_700_000_000, 7),
    "multipart (TC3)": (params: Record<string, unknown>) =>
      Signer.signTc3Checked({ method: "POST", scheme: "https", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "A", params, body: { _tag: "Multipart" } }, cred, 1_700_000_000)
  }
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ["NaN", { Filters: [{ Score: NaN }] }, "Filters[0].Score", "NaN cannot be sent"],
    ["Infinity", { Filters: [{ Score: -Infinity }] }, "Filters[0].Score", "-Infinity cannot be sent"],
    ["a lone high surrogate", { Name: "ab\ud800" }, "Name", "lone UTF-16 surrogate"],
    ["a lone low surrogate in a key", { Tags: { ["k\udc00"]: "v" } }, "Tags.k\udc00", "lone UTF-16 surrogate"],
    ["a circular object", circular(), "Self.Back", "circular"],
    ["a throwing toJSON", throwingToJSON, "A[1]", "toJSON() threw"]
  ]
  for (const [layout, sign] of Object.entries(layouts)) {
    for (const [what, params, path, problem] of cases) {
      if (layout.startsWith("multipart") && what.includes("key")) continue
      it(`${layout}: ${what} is refused at ${path}`, () => {
        const p = left(sign(params))
        // a multipart part is serialised on its own: a cycle through the root shows one turn later
        if (layout.startsWith("multipart")) expect(p.path.startsWith(path)).toBe(true)
        else expect(p.path).toBe(path)
        expect(p.problem).toContain(problem)
      })
    }
    it(`${layout}: 100,000-deep nesting is refused, not a stack overflow`, () => {
      expect(left(sign({ Deep: deep(100_000) })).problem).toContain("deeper than")
    })
    it(`${layout}: well-formed text, surrogate pairs and big integers are signed as by the unchecked signer`, () => {
      const params = { Name: "a 😀 中文 \u0000\u001f", Id: 446192236330927912n, N: -0.5, On: false, L: ["x", 2] }
      const r = sign(params)
      expect(Either.isRight(r)).toBe(true)
    })
  }
  it("the old layouts altered these values silently (what the checked ones replace)", () => {
    expect(Json.stringify({ F: NaN })).toBe('{"F":null}') // POST sent null
    expect(Signer.v1Flatten({ F: NaN })).toEqual([]) // GET and v1 dropped it
    expect(Json.stringify({ S: "\ud800" })).toBe('{"S":"\\ud800"}') // POST sent the escape
    expect(Signer.rfc3986("\ud800")).toBe("%EF%BF%BD") // GET/v1 sent U+FFFD
  })
  it("checked and unchecked signers agree on valid input", () => {
    const req: Signer.UnsignedRequest = { method: "GET", scheme: "https", host: "cvm.tencentcloudapi.com", service: "cvm", version: "2017-03-12", action: "A", params: { Filters: [{ Name: "zone", Values: ["a", "b"] }], When: "2024-01-01" } }
    expect(Signer.signTc3Checked(req, cred, 1_700_000_000)).toEqual(Either.right(Signer.signTc3(req, cred, 1_700_000_000)))
    expect(Signer.signV1Checked("HmacSHA256", req, cred, 1_700_000_000, 9)).toEqual(Either.right(Signer.signV1("HmacSHA256", req, cred, 1_700_000_000, 9)))
    const s = Signer.make("HmacSHA1")
    expect(s.signChecked(req, cred, 1_700_000_000, 9)).toEqual(Either.right(s.sign(req, cred, 1_700_000_000, 9)))
  })
  it("v1FlattenChecked refuses bytes (v1Flatten dropped them) and honours toJSON", () => {
    expect(left(Signer.v1FlattenChecked({ File: new Uint8Array(3) })).path).toBe("File")
    expect(Signer.v1FlattenChecked({ At: new Date(0) })).toEqual(Either.right([["At", "1970-01-01T00:00:00.000Z"]]))
  })
  it.prop("v1FlattenChecked agrees with v1Flatten on JSON values", [FastCheck.dictionary(FastCheck.string({ minLength: 1, maxLength: 4 }), FastCheck.jsonValue({ maxDepth: 3 }), { maxKeys: 5 })], ([v]) => {
    const safe = JSON.parse(JSON.stringify(v)) // jsonValue never has lone surrogates? keep only well-formed ones
    const r = Signer.v1FlattenChecked(safe)
    if (Either.isRight(r)) expect(r.right).toEqual(Signer.v1Flatten(safe))
    else expect(r.left.problem).toContain("surrogate")
  })
})

describe("strict request check: integers within their wire type, floats finite (item 3)", () => {
  const Req = C.struct("Req", {}, { Limit: C.uint64, Id: C.int64, Score: C.float, List: C.arr(C.struct("Item", {}, { Size: C.uint64 })) })
  const check = compileStrict(Req.ast)
  const at = (v: unknown) => {
    const i = check(v)
    return i === undefined ? undefined : `${formatPath(i.path)}: ${i.expected}`
  }
  it("refuses a uint64 of -1, an int64 of 10^30, NaN and Infinity, with the member's path", () => {
    expect(at({ Limit: -1 })).toBe("Limit: a uint64 (from 0 to 2^64-1)")
    expect(at({ List: [{ Size: 1 }, { Size: -1n }] })).toBe("List[1].Size: a uint64 (from 0 to 2^64-1)")
    expect(at({ Limit: 2n ** 64n })).toBe("Limit: a uint64 (from 0 to 2^64-1)")
    expect(at({ Id: 10n ** 30n })).toBe("Id: an int64 (from -2^63 to 2^63-1)")
    expect(at({ Id: -(2n ** 63n) - 1n })).toBe("Id: an int64 (from -2^63 to 2^63-1)")
    expect(at({ Id: 1e30 })).toContain("Id: an integer")
    expect(at({ Score: NaN })).toBe("Score: a finite number")
    expect(at({ Score: Infinity })).toBe("Score: a finite number")
  })
  it("accepts the boundaries themselves", () => {
    expect(at({ Limit: 0, Id: -(2n ** 63n), Score: Number.MAX_VALUE })).toBeUndefined()
    expect(at({ Limit: 2n ** 64n - 1n, Id: 2n ** 63n - 1n, Score: -Number.MIN_VALUE })).toBeUndefined()
    expect(at({ Limit: Number.MAX_SAFE_INTEGER, Id: Number.MIN_SAFE_INTEGER })).toBeUndefined()
  })
})
