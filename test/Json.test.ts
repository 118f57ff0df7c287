import { describe, expect, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import * as Json from "../src/Json.js"

describe("Json.parse", () => {
  it("is JSON.parse when no integer exceeds 2^53", () => {
    const text = '{"Response":{"TotalCount":3,"Ids":[1,2,9007199254740991],"RequestId":"r"}}'
    expect(Json.parse(text)).toEqual(JSON.parse(text))
  })

  it("decodes integers beyond 2^53 exactly as bigint", () => {
    const v = Json.parse('{"TaskId":446192236330927912,"SqlId":-5602209514906915428,"Small":12}') as any
    expect(v.TaskId).toBe(446192236330927912n)
    expect(v.SqlId).toBe(-5602209514906915428n)
    expect(v.Small).toBe(12)
  })

  it("leaves long digit runs inside strings alone", () => {
    const v = Json.parse('{"Id":"ins-12345678901234567890","Escaped":"a\\"12345678901234567890","N":12345678901234567890}') as any
    expect(v.Id).toBe("ins-12345678901234567890")
    expect(v.Escaped).toBe('a"12345678901234567890')
    expect(v.N).toBe(12345678901234567890n)
  })

  it("keeps floats and exponents as numbers", () => {
    const v = Json.parse('{"F":1234567890123456789.5,"E":12345678901234567e3,"S":9007199254740993.0}') as any
    expect(typeof v.F).toBe("number")
    expect(typeof v.E).toBe("number")
    expect(typeof v.S).toBe("number")
  })

  it("does not mistake a string equal to its marker for a bigint", () => {
    const v = Json.parse('{"A":"@@tcbig@@5","B":12345678901234567890}') as any
    expect(v.A).toBe("@@tcbig@@5")
    expect(v.B).toBe(12345678901234567890n)
  })

  it("rejects invalid JSON like JSON.parse", () => {
    expect(() => Json.parse('{"A":12345678901234567890')).toThrow()
    expect(() => Json.parse("{")).toThrow()
  })

  it.prop("round-trips any 64-bit integer through stringify and parse", [FastCheck.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })], ([n]) => {
    const safe = n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER)
    const value = { Id: safe ? Number(n) : n, List: [safe ? Number(n) : n] }
    const back = Json.parse(Json.stringify(value)) as any
    expect(back.Id).toStrictEqual(value.Id)
    expect(back.List[0]).toStrictEqual(value.List[0])
  })

  it.prop(
    "finds an integer beyond 2^53 at any offset of the text, between any neighbours (the detection probes every 16th character)",
    [
      // 16 digits (the shortest run that matters) half of the time
      FastCheck.oneof(FastCheck.bigInt({ min: 2n ** 53n + 1n, max: 10n ** 16n - 1n }), FastCheck.bigInt({ min: 10n ** 16n, max: 2n ** 64n - 1n })),
      FastCheck.boolean(),
      FastCheck.string({ unit: FastCheck.constantFrom("a", "1", " ", "-", "9", "x"), maxLength: 40 }),
      FastCheck.array(FastCheck.integer({ min: 0, max: 2 ** 53 - 1 }), { maxLength: 4 })
    ],
    ([big, negative, pad, before]) => {
      const n = negative ? -big : big
      const text = `{"Pad":${JSON.stringify(pad)},"Before":[${before.join(",")}],"N":${n},"After":${JSON.stringify(pad)}}`
      const v = Json.parse(text) as { Pad: string; Before: Array<number>; N: bigint }
      expect(v.N).toBe(n)
      expect(v.Pad).toBe(pad)
      expect(v.Before).toEqual(before)
    }
  )

  it.prop("leaves every safe integer a number, at any offset", [FastCheck.string({ maxLength: 40 }), FastCheck.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })], ([pad, n]) => {
    const text = `{"Pad":${JSON.stringify(pad)},"N":${n},"D":"${"1".repeat(pad.length)}"}`
    expect(Json.parse(text)).toStrictEqual(JSON.parse(text))
  })

  it.prop("agrees with JSON.parse on JSON without big integers", [FastCheck.jsonValue({ maxDepth: 3 })], ([v]) => {
    const text = JSON.stringify(v)
    const expected = JSON.parse(text)
    const got = Json.parse(text)
    // a long digit run may only change a value when it is an unsafe integer literal
    expect(JSON.stringify(got, (_k, x) => (typeof x === "bigint" ? Number(x) : x))).toBe(JSON.stringify(expected))
  })
})

describe("Json.stringify", () => {
  it("writes bigint as bare integers", () => {
    expect(Json.stringify({ A: 446192236330927912n, B: [1n, -2n], C: "x" })).toBe('{"A":446192236330927912,"B":[1,-2],"C":"x"}')
  })
  it("is JSON.stringify without bigint", () => {
    const v = { A: 1, B: "未命名", C: [true, null], D: undefined }
    expect(Json.stringify(v)).toBe(JSON.stringify(v))
  })
})
