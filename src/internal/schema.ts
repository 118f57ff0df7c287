/**
 * A fast validator compiled from an `effect/Schema` AST, for the generated service schemas
 * (`src/internal/codec.ts` helpers): checking a decoded DescribeInstances answer with it costs a
 * fraction of `JSON.parse`, where `Schema.decodeUnknownEither` costs about 15× `JSON.parse`
 * (measured in docs/services.md). The generated schemas have no transformations (type side =
 * wire side), so "decoding" is checking: the value is returned as is, members the server added
 * after the spec included.
 *
 * The check agrees with `Schema.is` on the type side (proven over every generated service version
 * by `test/services/validator.test.ts`), and reports the first mismatch with its path
 * (`InstanceSet[3].Placement.Zone`), built only on failure.
 *
 * Recognised nodes: string/number/boolean keywords, scalars annotated `TcType` `int64`/`uint64`
 * (a safe-integer number or a bigint) and `binary` (Uint8Array), structs (property signatures,
 * optional or not), arrays, `NullOr`, `optional`'s `| undefined`, `suspend`. Any other node falls
 * back to `Schema.is` for that node only.
 *
 * @internal
 */
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import { TcType } from "./codec.js"

// -------------------------------------------------------------------------------------------------
// fast validation

/** Where and why a value does not match. `path` is built on the way out (cheap on success). */
export interface Issue {
  readonly path: Array<string | number>
  readonly expected: string
  readonly actual: unknown
}

/** A compiled check: `undefined` when the value matches. */
export type Check = (u: unknown) => Issue | undefined

const fail = (expected: string, actual: unknown): Issue => ({ path: [], expected, actual })

const isString: Check = (u) => (typeof u === "string" ? undefined : fail("string", u))
const isNumber: Check = (u) => (typeof u === "number" ? undefined : fail("number", u))
const isBoolean: Check = (u) => (typeof u === "boolean" ? undefined : fail("boolean", u))
const isInteger: Check = (u) =>
  typeof u === "bigint" || Number.isSafeInteger(u) ? undefined : fail("an integer (number or bigint)", u)
// requests (strict): an integer must fit its wire type and a float must be finite, or the
// server would get a value it cannot store (uint64 -1, int64 10^30) or JSON `null` for NaN
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n
const isInt64: Check = (u) =>
  typeof u === "bigint"
    ? u < INT64_MIN || u > INT64_MAX ? fail("an int64 (from -2^63 to 2^63-1)", u) : undefined
    : isInteger(u)
const isUint64: Check = (u) =>
  typeof u === "bigint"
    ? u < 0n || u > UINT64_MAX ? fail("a uint64 (from 0 to 2^64-1)", u) : undefined
    : Number.isSafeInteger(u) && (u as number) >= 0 ? undefined : fail("a uint64 (from 0 to 2^64-1)", u)
const isFinite: Check = (u) => (typeof u === "number" && Number.isFinite(u) ? undefined : fail("a finite number", u))
const Bytes = globalThis.Uint8Array
const isBytes: Check = (u) => (u instanceof Bytes ? undefined : fail("Uint8Array", u))

const compiled = /*#__PURE__*/ new WeakMap<AST.AST, Check>()
const compiledStrict = /*#__PURE__*/ new WeakMap<AST.AST, Check>()
const compiledClosed = /*#__PURE__*/ new WeakMap<AST.AST, Check>()
/** `open`: `Schema.is`; `strict`: requests; `closed`: answers (undeclared members and out-of-range integers are issues). */
let mode: "open" | "strict" | "closed" = "open"

/**
 * Compile (once per AST node) a check equivalent to `Schema.is` on the type side, but fast: the
 * generated schemas' nodes (keywords, `TcType`-annotated integers and bytes, structs, arrays,
 * `NullOr`, suspensions) get hand-written checks; anything else falls back to `Schema.is`.
 */
export const compile = (ast: AST.AST): Check => {
  const memo = mode === "strict" ? compiledStrict : mode === "closed" ? compiledClosed : compiled
  let c = memo.get(ast)
  if (c === undefined) {
    // a forwarding cell first: recursive structs find it while they are being compiled
    let target: Check
    memo.set(ast, (u) => target(u))
    c = target = build(ast)
    memo.set(ast, c)
  }
  return c
}

/**
 * As {@link compile}, and a member a struct does not declare is an issue too (`expected` says
 * "no such member"): for requests, where an unknown member is a typo the server would reject.
 */
export const compileStrict = (ast: AST.AST): Check => compileIn("strict", ast)

/**
 * The fast check of an answer: as {@link compile}, and an undeclared member or an integer outside
 * its wire type is an issue, so that an answer passing it has no drift at all (the tolerant walk
 * of `tolerant.ts` then has nothing to report). Undeclared members are found by counting, not by
 * looking every key up.
 */
export const compileClosed = (ast: AST.AST): Check => compileIn("closed", ast)

const compileIn = (m: typeof mode, ast: AST.AST): Check => {
  const before = mode
  mode = m
  try {
    return compile(ast)
  } finally {
    mode = before
  }
}

/** Scalar checks the closed struct check runs inline (0: call the check). */
type Kind = 0 | 1 | 2 | 3 | 4 | 5
const kindOf = (c: Check): Kind => (c === isString ? 1 : c === isFinite ? 2 : c === isBoolean ? 3 : c === isInt64 ? 4 : c === isUint64 ? 5 : 0)

/** Does `v` pass the inline check of `kind`? `false` also when it must be called (bigints, failures). */
const scalarOk = (kind: Kind, v: unknown): boolean => {
  switch (kind) {
    case 1:
      return typeof v === "string"
    case 2:
      return typeof v === "number" && Number.isFinite(v)
    case 3:
      return typeof v === "boolean"
    case 4:
      return Number.isSafeInteger(v)
    case 5:
      return Number.isSafeInteger(v) && (v as number) >= 0
  }
  return false
}

/**
 * The check of a struct member or list item, resolved at its first use: a member's `optional`
 * `| undefined` is dropped (the struct handles absence) and a `suspend` is replaced by its
 * target's check, so a member costs one call, not a chain of forwarding closures. `set` stores
 * the resolved check where the caller keeps it.
 */
const slot = (ast: AST.AST, member: boolean, set: (c: Check) => void): Check => {
  if (member && ast._tag === "Union") {
    const t = ast.types.filter((m) => m._tag !== "UndefinedKeyword")
    if (t.length === 1 && t.length < ast.types.length) ast = t[0]
  }
  if (ast._tag !== "Suspend") return compile(ast)
  const m = mode
  const target = ast
  return (u) => {
    const c = compileIn(m, target.f())
    set(c)
    return c(u)
  }
}

const build = (ast: AST.AST): Check => {
  const tc = ast.annotations[TcType]
  if (tc === "int64" || tc === "uint64") return mode !== "open" ? (tc === "int64" ? isInt64 : isUint64) : isInteger
  // answers and requests: a float must be finite (NaN cannot come from JSON, only from a mock)
  if (tc === "float" && mode !== "open") return isFinite
  if (tc === "binary") return isBytes
  switch (ast._tag) {
    case "StringKeyword":
      return isString
    case "NumberKeyword":
      return mode === "open" ? isNumber : isFinite
    case "BooleanKeyword":
      return isBoolean
    case "Suspend": {
      let inner: Check | undefined
      const m = mode
      return (u) => (inner ??= compileIn(m, ast.f()))(u)
    }
    case "Union": {
      // `optional` adds `undefined` (absence is handled by the struct); `NullOr` adds `null`
      const t = ast.types.filter((m) => m._tag !== "UndefinedKeyword")
      const nullable = t.length === 2 && t[1]._tag === "Literal" && t[1].literal === null
      if (t.length === 1 || nullable) {
        const c = compile(t[0])
        return nullable ? (u) => (u === null ? undefined : c(u)) : (u) => (u === undefined ? undefined : c(u))
      }
      break
    }
    case "TupleType": {
      if (ast.elements.length > 0 || ast.rest.length !== 1) break
      let item = slot(ast.rest[0].type, false, (c) => (item = c))
      const kind = kindOf(item)
      return (u) => {
        if (!Array.isArray(u)) return fail("array", u)
        for (let i = 0; i < u.length; i++) {
          if (scalarOk(kind, u[i])) continue
          const r = item(u[i])
          if (r !== undefined) return r.path.unshift(i), r
        }
        return undefined
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) break
      const ps = ast.propertySignatures
      const n = ps.length
      const names = ps.map((p) => p.name as string)
      const optional = ps.map((p) => p.isOptional)
      const checks: Array<Check> = []
      for (let i = 0; i < n; i++) checks.push(slot(ps[i].type, true, (c) => (checks[i] = c)))
      // one pass over the value's own members (for-in reads them without a lookup). Each is found
      // by name, first by the position it had in the last object seen (answers repeat one member
      // order: a pointer comparison), else in a map. Scalar members are checked inline; a missing
      // one is found by counting; a member set to `undefined` is absent. Answers (closed) and
      // requests (strict): an undeclared member fails at once, and bytes are not an object.
      const index = new Map(names.map((k, i) => [k, i]))
      const required = optional.filter((o) => !o).length
      const kinds = checks.map(kindOf)
      const orderKeys: Array<string | undefined> = []
      const orderIdx: Array<number> = []
      const open = mode === "open"
      return (u) => {
        if (typeof u !== "object" || u === null || Array.isArray(u) || (!open && u instanceof Bytes)) return fail("object", u)
        let seen = 0
        let j = 0
        for (const k in u) {
          let i: number | undefined
          if (orderKeys[j] === k) i = orderIdx[j]
          else if ((i = index.get(k)) !== undefined) {
            orderKeys[j] = k
            orderIdx[j] = i
          }
          j++
          const v = (u as Record<string, unknown>)[k]
          if (i === undefined) {
            if (open) continue
            return { path: [k], expected: "no such member (names are case sensitive)", actual: v }
          }
          if (v === undefined) continue
          if (!optional[i]) seen++
          if (scalarOk(kinds[i], v)) continue
          const r = checks[i](v)
          if (r !== undefined) return r.path.unshift(k), r
        }
        if (seen !== required) {
          for (let i = 0; i < n; i++) if (!optional[i] && (u as Record<string, unknown>)[names[i]] === undefined) return { path: [names[i]], expected: "a value (required)", actual: undefined }
        }
        return undefined
      }
    }
  }
  const is = Schema.is(Schema.make(ast))
  return (u) => (is(u) ? undefined : fail(String(ast), u))
}

/** Render a path as `Filters[0].Values`. */
export const formatPath = (path: ReadonlyArray<string | number>): string => {
  let out = ""
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`
  return out
}

/** A short description of a value for messages (never the whole value). */
export const describe = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u.length > 40 ? u.slice(0, 40) + "..." : u)
  if (typeof u === "number" && Number.isInteger(u) && !Number.isSafeInteger(u)) return `${u} (beyond 2^53: use a bigint)`
  if (Array.isArray(u)) return "an array"
  if (u instanceof Bytes) return "bytes"
  if (typeof u === "function") return "a function"
  return typeof u === "object" && u !== null ? "an object" : String(u)
}
