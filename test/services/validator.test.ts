/**
 * The fast validator (`src/internal/schema.ts`) against `Schema.is`, over every generated service
 * version: for a sample of actions, request and response values built from the schemas' own AST
 * (seeded) are accepted by both; the same values with one leaf of the wrong type are rejected by
 * both, and the validator names that leaf's path. Also the unit behaviour: optional, nullable,
 * int64 as number or bigint, recursion, extra members kept.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as C from "../../src/internal/codec.js"
import { compile, compileStrict, describe as describeValue, formatPath } from "../../src/internal/schema.js"

const TC = C.TcType

// ---------------------------------------------------------------------------------------------
// values from a schema AST (seeded)

const rng = (seed: number) => {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

type Leaf = { readonly path: Array<string | number>; readonly kind: "string" | "number" | "integer" | "boolean" | "bytes" }

const unsuspend = (ast: AST.AST): AST.AST => {
  while (ast._tag === "Suspend") ast = ast.f()
  return ast
}

/** A valid value of `ast` (type side) and the paths of its primitive leaves. */
const arbitrary = (root: AST.AST, seed: number) => {
  const r = rng(seed)
  const leaves: Array<Leaf> = []
  const go = (ast0: AST.AST, at: Array<string | number>, depth: number): unknown => {
    const ast = unsuspend(ast0)
    const tc = ast.annotations[TC]
    if (tc === "int64" || tc === "uint64") {
      leaves.push({ path: at, kind: "integer" })
      return r() < 0.25 ? 9007199254740993n + BigInt(Math.floor(r() * 1000)) : Math.floor(r() * 1e6)
    }
    switch (ast._tag) {
      case "StringKeyword":
        leaves.push({ path: at, kind: "string" })
        return `s${Math.floor(r() * 1000)}`
      case "NumberKeyword":
        leaves.push({ path: at, kind: "number" })
        return r() * 100
      case "BooleanKeyword":
        leaves.push({ path: at, kind: "boolean" })
        return r() < 0.5
      case "Declaration":
        leaves.push({ path: at, kind: "bytes" })
        return new Uint8Array([1, 2, 3])
      case "Union": {
        const members = ast.types.filter((t) => t._tag !== "UndefinedKeyword")
        const nonNull = members.filter((t) => !(t._tag === "Literal" && t.literal === null))
        if (nonNull.length < members.length && r() < 0.2) return null
        return go(nonNull[0], at, depth)
      }
      case "TupleType": {
        const n = depth > 3 ? 0 : Math.floor(r() * 3)
        return Array.from({ length: n }, (_, i) => go(ast.rest[0].type, [...at, i], depth + 1))
      }
      case "TypeLiteral": {
        const o: Record<string, unknown> = {}
        for (const p of ast.propertySignatures) {
          if (p.isOptional && (depth > 3 || r() < 0.3)) continue
          o[p.name as string] = go(p.type, [...at, p.name as string], depth + 1)
        }
        return o
      }
      default:
        throw new Error(`unexpected node ${ast._tag} at ${formatPath(at)}`)
    }
  }
  return { value: go(root, [], 0), leaves }
}

const wrong = (kind: Leaf["kind"]): unknown =>
  kind === "string" ? 42 : kind === "boolean" ? "true" : kind === "bytes" ? "bytes" : kind === "integer" ? 1.5 : "NaN"

const setAt = (value: unknown, at: ReadonlyArray<string | number>, v: unknown): unknown => {
  if (at.length === 0) return v
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) }
  copy[at[0]] = setAt((value as any)[at[0]], at.slice(1), v)
  return copy
}

// ---------------------------------------------------------------------------------------------

describe("validator: unit", () => {
  interface Node {
    readonly Name: string
    readonly Children?: ReadonlyArray<Node> | null
  }
  const Node: Schema.Schema<Node> = C.lazy(() => C.struct("Node", { Name: C.str }, { Children: C.nul(C.arr(Node)) }))
  const Req = C.lazy(() =>
    C.struct("Req", { Id: C.int64, Tags: C.arr(C.str) }, { Limit: C.uint64, Score: C.float, On: C.bool, Tree: Node, File: C.binary })
  )
  const check = compile(Req.ast)

  it("accepts valid values; int64 as a safe-integer number or a bigint; extra members are allowed", () => {
    expect(check({ Id: 1, Tags: [] })).toBeUndefined()
    expect(check({ Id: 446192236330927912n, Tags: ["a"], Limit: 0, Score: 1.5, On: true, Extra: { x: 1 } })).toBeUndefined()
    expect(check({ Id: 1, Tags: [], Tree: { Name: "a", Children: [{ Name: "b", Children: null }] } })).toBeUndefined()
    expect(check({ Id: 1, Tags: [], File: new Uint8Array(2) })).toBeUndefined()
    expect(check({ Id: 1, Tags: [], Limit: undefined })).toBeUndefined()
  })
  it("rejects with the path of the first bad member", () => {
    expect(check({ Tags: [] })?.path).toEqual(["Id"])
    expect(check({ Id: 1.5, Tags: [] })?.expected).toContain("integer")
    expect(check({ Id: 2 ** 60, Tags: [] })?.path).toEqual(["Id"]) // unsafe number: use a bigint
    expect(check({ Id: 1, Tags: ["a", 2] })?.path).toEqual(["Tags", 1])
    expect(check({ Id: 1, Tags: [], Tree: { Name: "a", Children: [{ Name: 3 }] } })?.path).toEqual(["Tree", "Children", 0, "Name"])
    expect(check({ Id: 1, Tags: [], Tree: null })?.path).toEqual(["Tree"]) // null only where nullable
    expect(check({ Id: 1, Tags: [], File: "x" })?.expected).toBe("Uint8Array")
    expect(check("x")?.expected).toBe("object")
    expect(check([])?.expected).toBe("object")
  })
  it("strict mode (requests) names a member the struct does not declare, at any depth", () => {
    const strictCheck = compileStrict(Req.ast)
    expect(strictCheck({ Id: 1, Tags: [] })).toBeUndefined()
    expect(strictCheck({ Id: 1, Tags: [], limit: 3 })?.path).toEqual(["limit"])
    expect(strictCheck({ Id: 1, Tags: [], Tree: { Name: "a", Children: [{ Name: "b", name: "c" }] } })?.path).toEqual(["Tree", "Children", 0, "name"])
    // the lenient check is unaffected (memoised separately)
    expect(check({ Id: 1, Tags: [], limit: 3 })).toBeUndefined()
  })
  it("formats paths and describes values briefly", () => {
    expect(formatPath(["Filters", 0, "Values", 2])).toBe("Filters[0].Values[2]")
    expect(describeValue("a".repeat(100)).length).toBeLessThan(50)
    expect(describeValue(2 ** 60)).toContain("bigint")
    expect(describeValue({ a: 1 })).toBe("an object")
    expect(describeValue(null)).toBe("null")
  })
})

// ---------------------------------------------------------------------------------------------

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const generatedDir = path.join(root, "src/generated")
const modules: Array<string> = fs.existsSync(generatedDir)
  ? fs
      .readdirSync(generatedDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => fs.readdirSync(path.join(generatedDir, d.name)).filter((f) => /^v\d{8}\.ts$/.test(f)).map((f) => `${d.name}/${f.slice(0, -3)}`))
      .sort()
  : []

const SAMPLE = 4

describe("validator agrees with Schema.is over every generated service version", () => {
  if (modules.length === 0) {
    it.skip("src/generated is absent: nothing to compare", () => {})
    return
  }
  it("finds all service versions", () => {
    expect(modules.length).toBeGreaterThanOrEqual(296)
  })
  for (const [index, mod] of modules.entries()) {
    it(mod, async () => {
      const m = (await import(`../../src/generated/${mod.split("/")[0]}/${mod.split("/")[1]}.ts`)) as { _actions: Record<string, { input: () => Schema.Schema<any>; output: () => Schema.Schema<any> }> }
      const names = Object.keys(m._actions).sort()
      const step = Math.max(1, Math.floor(names.length / SAMPLE))
      for (let k = 0; k < names.length && k / step < SAMPLE; k += step) {
        const name = names[k]
        for (const side of ["input", "output"] as const) {
          const schema = m._actions[name][side]()
          const check = compile(schema.ast)
          const is = Schema.is(schema)
          for (let seed = 1; seed <= 2; seed++) {
            const { value, leaves } = arbitrary(schema.ast, index * 1000 + k * 10 + seed)
            const where = `${mod} ${name} ${side} seed ${seed}`
            expect(is(value), where).toBe(true)
            expect(check(value), where).toBeUndefined()
            if (leaves.length === 0) continue
            const leaf = leaves[(seed * 7919) % leaves.length]
            const bad = setAt(value, leaf.path, wrong(leaf.kind))
            expect(is(bad), `${where} bad ${formatPath(leaf.path)}`).toBe(false)
            expect(check(bad)?.path, `${where} bad ${formatPath(leaf.path)}`).toEqual(leaf.path)
          }
        }
      }
    })
  }
})
