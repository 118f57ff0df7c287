/**
 * The tolerant walk (`src/internal/tolerant.ts`): every mismatch listed with its path, lossless
 * conversions (property tests: both ways, bigint included), values set aside without touching the
 * input, requests accepting only exact-meaning forms, and placeholder filling for partial mocks.
 */
import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as C from "../../src/internal/codec.js"
import { compileStrict } from "../../src/internal/schema.js"
import { fill, integerOfText, numberOfText, textOf, walk } from "../../src/internal/tolerant.js"

interface Node {
  readonly Name: string
  readonly Children?: ReadonlyArray<Node> | null
}
const Node: Schema.Schema<Node> = C.lazy(() => C.struct("Node", { Name: C.str }, { Children: C.nul(C.arr(Node)) }))
const Item = C.lazy(() => C.struct("Item", { Id: C.str, Size: C.uint64 }, { Tags: C.arr(C.str) }))
const Res = C.lazy(() =>
  C.struct(
    "Res",
    { Total: C.int64, Items: C.arr(Item), Ratio: C.float, On: C.bool, Name: C.str, RequestId: C.str },
    { Ids: C.arr(C.str), Maybe: C.nul(C.str), Tree: Node, When: C.datetime }
  )
)
const good = { Total: 2, Items: [{ Id: "a", Size: 1 }, { Id: "b", Size: 9007199254740993n }], Ratio: 0.5, On: true, Name: "n", RequestId: "r" }

const paths = (w: ReturnType<typeof walk>) => w.mismatches.map((m) => `${m.path.map(String).join(".")}:${m.resolution}`)

describe("tolerant walk: responses", () => {
  it("a matching answer has no mismatch and is returned as is", () => {
    const w = walk(Res.ast, good, "response")
    expect(w.mismatches).toEqual([])
    expect(w.value).toBe(good)
  })

  it("lists every mismatch, converts losslessly, sets aside the rest, never mutates the input", () => {
    const input = {
      Total: "2", // numeric text → 2
      Items: [{ Id: 7, Size: "18446744073709551615" }, null, { Id: "c", Size: 1.5, Extra: { x: 1 } }, { Size: 2 }],
      Ratio: "0.25",
      On: "false",
      Name: { free: "form" }, // JSON text
      Ids: "only-one", // wrapped
      Maybe: null, // allowed
      Tree: { Name: "root", Children: [{ Name: 5 }, { Name: "x", Children: null }] },
      When: null, // not nullable: absent
      RequestId: "r",
      Added: [1, 2]
    }
    const snapshot = structuredClone(input)
    const w = walk(Res.ast, input, "response")
    expect(input).toEqual(snapshot)
    expect(paths(w)).toEqual([
      "Total:coerced",
      "Items.0.Id:coerced",
      "Items.0.Size:coerced",
      "Items.1:set aside",
      "Items.2.Size:kept",
      "Items.2.Extra:kept",
      "Items.3.Id:missing",
      "Ratio:coerced",
      "On:coerced",
      "Name:coerced",
      "Ids:wrapped",
      "Tree.Children.0.Name:coerced",
      "When:absent",
      "Added:kept"
    ])
    expect(w.value).toEqual({
      Total: 2,
      Items: [{ Id: "7", Size: 18446744073709551615n }, { Id: "c", Size: 1.5, Extra: { x: 1 } }, { Size: 2 }],
      Ratio: 0.25,
      On: false,
      Name: "{\"free\":\"form\"}",
      Ids: ["only-one"],
      Maybe: null,
      Tree: { Name: "root", Children: [{ Name: "5" }, { Name: "x", Children: null }] },
      RequestId: "r",
      Added: [1, 2]
    })
    const total = w.mismatches[0]
    expect(total).toMatchObject({ expected: "an integer (int64, from -2^63 to 2^63-1)", got: "2" })
  })

  it("a value that cannot be converted is set aside: absent from the value, the mismatch keeps it", () => {
    const w = walk(Res.ast, { ...good, Total: "two", On: 1, Items: "none", Tree: "leaf" }, "response")
    expect(paths(w)).toEqual(["Total:set aside", "Items:set aside", "On:set aside", "Tree:set aside"])
    expect(w.value).toEqual({ Ratio: 0.5, Name: "n", RequestId: "r" })
    expect(w.mismatches.find((m) => m.path[0] === "Items")?.got).toBe("none")
  })

  it("non-canonical numeric text is not converted (it would not round-trip)", () => {
    for (const t of ["007", "+1", " 1", "1.0", "1e3", "-0", "0x10", ""]) {
      expect(integerOfText(t), t).toBeUndefined()
    }
    for (const t of ["1.50", " 1.5", "NaN", "Infinity", "", "1e400"]) {
      expect(numberOfText(t), t).toBeUndefined()
    }
    const w = walk(Res.ast, { ...good, Total: "007" }, "response")
    expect(paths(w)).toEqual(["Total:set aside"])
  })

  it("wraps a single value only when it matches the list's item exactly", () => {
    const w = walk(Res.ast, { ...good, Items: { Id: "solo", Size: 3 } }, "response")
    expect(paths(w)).toEqual(["Items:wrapped"])
    expect((w.value as any).Items).toEqual([{ Id: "solo", Size: 3 }])
    const bad = walk(Res.ast, { ...good, Items: { Id: "solo" } }, "response")
    expect(paths(bad)).toEqual(["Items:set aside"])
  })

  it("agrees with the fast check: no mismatch exactly when the closed check passes", () => {
    const check = compileStrict(Res.ast)
    for (const v of [good, { ...good, Extra: 1 }, { ...good, Total: 1.5 }, { ...good, Ids: [] }, { ...good, Maybe: "m" }]) {
      expect(walk(Res.ast, v, "response").mismatches.length === 0).toBe(check(v) === undefined)
    }
  })
})

describe("tolerant walk: requests", () => {
  const Req = C.lazy(() => C.struct("Req", { Id: C.str }, { Limit: C.uint64, Offset: C.int64, Score: C.float, DryRun: C.bool, Zone: C.str, Ids: C.arr(C.uint64) }))

  it("accepts exact-meaning forms as conversions: numeric text, \"true\"/\"false\", null for an optional member", () => {
    const w = walk(Req.ast, { Id: "x", Limit: "10", Offset: "-3", Score: "2.5", DryRun: "true", Zone: null, Ids: ["1", 2] }, "request")
    expect(paths(w)).toEqual(["Limit:coerced", "Offset:coerced", "Score:coerced", "DryRun:coerced", "Zone:absent", "Ids.0:coerced"])
    expect(w.value).toEqual({ Id: "x", Limit: 10, Offset: -3, Score: 2.5, DryRun: true, Ids: [1, 2] })
  })

  it("lists every problem, not just the first", () => {
    const w = walk(Req.ast, { Limit: "ten", Offset: 1.5, Score: NaN, DryRun: 1, Zone: 3, Ids: ["-1"], limit: 1 }, "request")
    expect(paths(w)).toEqual(["Id:invalid", "Limit:invalid", "Offset:invalid", "Score:invalid", "DryRun:invalid", "Zone:invalid", "Ids.0:invalid", "limit:invalid"])
  })

  it("refuses null for a required member and out-of-range integers", () => {
    const w = walk(Req.ast, { Id: null, Limit: -1 }, "request")
    expect(paths(w)).toEqual(["Id:invalid", "Limit:invalid"])
  })
})

describe("coercions are lossless both ways (property tests)", () => {
  it.prop("integer → text → integer, bigint beyond 2^53 included", [FastCheck.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })], ([n]) => {
    const text = textOf(n)
    const back = integerOfText(text)
    expect(back).toBeDefined()
    expect(BigInt(back!)).toBe(n)
    // number when it fits exactly, bigint otherwise
    expect(typeof back).toBe(n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? "number" : "bigint")
    expect(textOf(back!)).toBe(text)
  })

  it.prop("canonical integer text → integer → the same text", [FastCheck.stringMatching(/^-?(0|[1-9][0-9]{0,25})$/)], ([t]) => {
    const n = integerOfText(t)
    if (t === "-0") expect(n).toBeUndefined()
    else expect(textOf(n!)).toBe(t)
  })

  it.prop("double → text → double", [FastCheck.double({ noNaN: true, noDefaultInfinity: true })], ([d]) => {
    const back = numberOfText(textOf(d))
    expect(back).toBe(Object.is(d, -0) ? 0 : d) // -0 prints as "0"
  })

  it.prop("any text either converts to a number printing as that text, or is refused", [FastCheck.string({ maxLength: 12 })], ([t]) => {
    const n = numberOfText(t)
    if (n !== undefined) expect(String(n)).toBe(t)
    const i = integerOfText(t)
    if (i !== undefined) expect(String(i)).toBe(t)
  })

  it.prop("an integer member's conversion in an answer keeps the value exactly", [FastCheck.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })], ([n]) => {
    const w = walk(Res.ast, { ...good, Total: String(n) }, "response")
    expect(BigInt((w.value as any).Total)).toBe(n)
    expect(w.mismatches.map((m) => m.resolution)).toEqual(["coerced"])
  })

  it.prop("a number in a string member becomes its text, and the text parses back to it", [FastCheck.oneof(FastCheck.double({ noNaN: true, noDefaultInfinity: true }), FastCheck.bigInt())], ([v]) => {
    const w = walk(Res.ast, { ...good, Name: v }, "response")
    const text = (w.value as any).Name as string
    expect(typeof v === "bigint" ? BigInt(text) : Number(text)).toBe(Object.is(v, -0) ? 0 : v)
  })
})

describe("fill (partial mocks)", () => {
  it("fills required members with placeholders, recursively; keeps what is given; never mutates", () => {
    const given = { Items: [{ Id: "a" }], Tree: { Children: [{}] } }
    const filled = fill(Res.ast, given)
    expect(given).toEqual({ Items: [{ Id: "a" }], Tree: { Children: [{}] } })
    expect(filled).toEqual({
      Total: 0,
      Items: [{ Id: "a", Size: 0 }],
      Ratio: 0,
      On: false,
      Name: "",
      RequestId: "",
      Tree: { Name: "", Children: [{ Name: "" }] }
    })
    expect(walk(Res.ast, filled, "response").mismatches).toEqual([])
    expect(fill(Res.ast, good)).toBe(good)
  })
})
