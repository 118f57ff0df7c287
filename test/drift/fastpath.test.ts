/**
 * The decoder's two checkers agree (property tests): the compiled fast check (`compileClosed`
 * for answers, `compileStrict` for requests) passes exactly when the tolerant walk finds no
 * mismatch, and the walk that skips members passing their fast check gives the same value and
 * the same mismatches as the walk that visits everything. Values are spec-shaped answers (from
 * `Arbitrary`, and the 100-instance DescribeInstances fixture of the benchmark) with random drift
 * applied at random places, in JSON form (through `Json.stringify`/`Json.parse`). Conversions in
 * those answers are checked lossless.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import type * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import { describeInstancesBody } from "../../bench/fixtures.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as C from "../../src/internal/codec.js"
import { compileClosed, compileStrict } from "../../src/internal/schema.js"
import { walk } from "../../src/internal/tolerant.js"
import * as Json from "../../src/Json.js"

interface Node {
  readonly Name: string
  readonly Children?: ReadonlyArray<Node> | null
}
const Node: Schema.Schema<Node> = C.lazy(() => C.struct("Node", { Name: C.str }, { Children: C.nul(C.arr(Node)) }))
const Item = C.lazy(() => C.struct("Item", { Id: C.str, Size: C.uint64 }, { Tags: C.arr(C.str), On: C.nul(C.bool) }))
const Res = C.lazy(() =>
  C.struct(
    "Res",
    { Total: C.int64, Items: C.arr(Item), Ratio: C.float, On: C.bool, Name: C.str, RequestId: C.str },
    { Ids: C.arr(C.str), Maybe: C.nul(C.str), Tree: Node, When: C.datetime, Big: C.uint64 }
  )
)

/** One drift: where (an index into the value's places, modulo their number) and what. */
type Kind = "text" | "null" | "delete" | "extra" | "fraction" | "object" | "number" | "boolean" | "unwrap" | "big"
const kinds: ReadonlyArray<Kind> = ["text", "null", "delete", "extra", "fraction", "object", "number", "boolean", "unwrap", "big"]
const drifts = FastCheck.array(FastCheck.tuple(FastCheck.nat(), FastCheck.constantFrom(...kinds)), { maxLength: 6 })

/** Every place in a JSON value: [container, key] pairs. */
const places = (v: unknown, out: Array<[Record<string, unknown> | Array<unknown>, string | number]> = []) => {
  if (Array.isArray(v)) v.forEach((e, i) => (out.push([v, i]), places(e, out)))
  else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) out.push([v as Record<string, unknown>, k]), places((v as Record<string, unknown>)[k], out)
  return out
}

/** The value with the drifts applied, in JSON form (a fresh copy; the input is not touched). */
const drifted = (value: unknown, ds: ReadonlyArray<readonly [number, Kind]>): unknown => {
  const v = Json.parse(Json.stringify(value)) as Record<string, unknown>
  for (const [at, kind] of ds) {
    const ps = places(v)
    if (ps.length === 0) break
    const [c, k] = ps[at % ps.length]
    const o = c as Record<string | number, unknown>
    const x = o[k]
    switch (kind) {
      case "text":
        o[k] = typeof x === "number" || typeof x === "bigint" || typeof x === "boolean" ? String(x) : Json.stringify(x)
        break
      case "null":
        o[k] = null
        break
      case "delete":
        if (Array.isArray(c)) c.splice(k as number, 1)
        else delete o[k]
        break
      case "extra":
        if (!Array.isArray(c)) o[`Zz${at % 7}`] = { Since: at }
        break
      case "fraction":
        o[k] = 1.5
        break
      case "object":
        o[k] = { A: 1 }
        break
      case "number":
        o[k] = at % 1000
        break
      case "boolean":
        o[k] = "true"
        break
      case "unwrap":
        if (Array.isArray(x) && x.length > 0) o[k] = x[0]
        break
      case "big":
        o[k] = 9007199254740993n + BigInt(at)
        break
    }
  }
  return Json.parse(Json.stringify(v))
}

const agree = (ast: AST.AST, v: unknown) => {
  const gated = walk(ast, v, "response")
  const full = walk(ast, v, "response", { gated: false })
  // the same value and the same mismatches, in the same order
  expect(gated.mismatches).toEqual(full.mismatches)
  expect(gated.value).toEqual(full.value)
  // the fast check passes exactly when there is nothing to report, and then the value is returned as is
  expect(compileClosed(ast)(v) === undefined).toBe(full.mismatches.length === 0)
  if (full.mismatches.length === 0) expect(gated.value).toBe(v)
  // requests: the same agreement with the strict check
  const rg = walk(ast, v, "request")
  const rf = walk(ast, v, "request", { gated: false })
  expect(rg.mismatches).toEqual(rf.mismatches)
  expect(rg.value).toEqual(rf.value)
  expect(compileStrict(ast)(v) === undefined).toBe(rf.mismatches.length === 0)
  return gated
}

const at = (v: unknown, path: ReadonlyArray<string | number>): unknown => path.reduce<any>((x, k) => (x === undefined || x === null ? undefined : x[k]), v)

/** A coerced scalar is the same value in the declared type: the text is the number's canonical text, and back. */
const lossless = (w: ReturnType<typeof walk>) => {
  // a list item set aside shifts the indices of the items after it: paths no longer point into the value
  if (w.mismatches.some((m) => m.resolution === "set aside")) return
  for (const m of w.mismatches) {
    if (m.resolution !== "coerced") continue
    const now = at(w.value, m.path)
    if (typeof m.got === "string" && (typeof now === "number" || typeof now === "bigint" || typeof now === "boolean")) expect(String(now)).toBe(m.got)
    if ((typeof m.got === "number" || typeof m.got === "bigint" || typeof m.got === "boolean") && typeof now === "string") expect(now).toBe(String(m.got))
    if (typeof m.got === "object" && m.got !== null && typeof now === "string") expect(Json.parse(now)).toEqual(m.got)
  }
}

describe("fast check and tolerant walk agree (property tests)", () => {
  it.prop("spec-shaped values with random drift (a small schema with bigint, null and recursion)", [Arbitrary.make(Res), drifts], ([value, ds]) => {
    const v = drifted(value, ds)
    lossless(agree(Res.ast, v))
  })

  const fixture = Json.parse(describeInstancesBody(3)) as { Response: Record<string, unknown> }
  const Out = Cvm.DescribeInstancesResponse as unknown as Schema.Schema<any>
  it.prop("the DescribeInstances fixture with random drift", [drifts], ([ds]) => {
    const v = drifted(fixture.Response, ds)
    lossless(agree(Out.ast, v))
  })

  it("the 100-instance fixture passes the fast check and is returned as is", () => {
    const v = (Json.parse(describeInstancesBody(100)) as { Response: Record<string, unknown> }).Response
    expect(compileClosed(Out.ast)(v)).toBeUndefined()
    expect(walk(Out.ast, v, "response").value).toBe(v)
  })
})
