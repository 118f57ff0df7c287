/**
 * The slow path of decoding and request validation: a walk over an `effect/Schema` AST (the
 * generated service schemas) that finds EVERY mismatch of a value, not only the first, and
 * repairs what can be repaired without losing or inventing anything.
 *
 * It runs only when the fast check of `schema.ts` has found a problem, so its cost never touches
 * a matching answer. The value given is never mutated: changed objects and arrays are copied.
 *
 * What is repaired, by side:
 *
 * | value | declared | response | request (default) |
 * |---|---|---|---|
 * | canonical integer text `"42"`, `"-7"`, `"9007199254740993"` | int64/uint64 | the number (bigint beyond 2^53) | same |
 * | canonical number text `"1.5"` | float | the number | same |
 * | `"true"` / `"false"` | bool | the boolean | same |
 * | `null` | a member that may not be null | the member is absent | absent (optional members) |
 * | a number, bigint or boolean | string | its canonical text | refused |
 * | an object or array | string | its JSON text (free-form JSON is a string in the specs) | refused |
 * | a bigint that is exactly a double | float | the number | refused |
 * | one value that matches the item exactly | list | a one-item list | refused |
 * | a fractional number | int64/uint64 | kept as it came (the type is `number`) | refused |
 * | a member the spec does not declare | — | kept as it came | refused |
 * | anything else | — | set aside: absent from the typed value, kept in the raw answer | refused |
 *
 * Canonical text is what makes a coercion lossless both ways: `String(coerced) === text`
 * (`"007"`, `"1.50"`, `"+1"`, `" 1"` are not canonical and are not coerced).
 *
 * @internal
 */
import type * as AST from "effect/SchemaAST"
import * as Schema from "effect/Schema"
import * as Json from "../Json.js"
import { TcType } from "./codec.js"
import { type Check, compileClosed, compileStrict } from "./schema.js"

/** How a mismatch was resolved. */
export type Resolution =
  /** converted losslessly to the declared type */
  | "coerced"
  /** a single value wrapped into the declared list */
  | "wrapped"
  /** `null` where the spec does not allow it: the member is absent */
  | "absent"
  /** a required member the answer does not have */
  | "missing"
  /** kept as it came: an undeclared member, or a fractional number for an integer */
  | "kept"
  /** not the declared type and not convertible: absent from the typed value, kept in the raw answer */
  | "set aside"
  /** (requests) refused */
  | "invalid"

/** One mismatch: where, what the spec declares, what came, and what was done. */
export interface Mismatch {
  readonly path: ReadonlyArray<string | number>
  readonly expected: string
  /** The value as it came (`undefined`: the member is missing). */
  readonly got: unknown
  readonly resolution: Resolution
}

/** The result of a walk: the repaired value (or the original when nothing changed) and every mismatch. */
export interface Walked {
  readonly value: unknown
  readonly mismatches: ReadonlyArray<Mismatch>
}

const knownMemo = /*#__PURE__*/ new WeakMap<AST.AST, ReadonlySet<string>>()

/**
 * The fast checks of a struct's members (or a list's item), per side: a member that passes its
 * check has no mismatch at all (`compileClosed` for answers, `compileStrict` for requests agree
 * with this walk: property tests), so the walk descends only into members that fail.
 */
const gateMemo = { response: /*#__PURE__*/ new WeakMap<AST.AST, ReadonlyArray<Check>>(), request: /*#__PURE__*/ new WeakMap<AST.AST, ReadonlyArray<Check>>() }

const gates = (ast: AST.AST, types: () => ReadonlyArray<AST.AST>, side: Ctx["side"]): ReadonlyArray<Check> => {
  let g = gateMemo[side].get(ast)
  if (g === undefined) {
    // checked directly: an optional member's type without `| undefined`, a suspension's target
    const c = side === "response" ? compileClosed : compileStrict
    const direct = (t: AST.AST) => unwrap(t._tag === "Union" && t.types.length === 2 && t.types[1]._tag === "UndefinedKeyword" ? t.types[0] : t)
    gateMemo[side].set(ast, (g = types().map((t) => c(direct(t)))))
  }
  return g
}

const SKIP: unique symbol = Symbol("skip") as any

interface Ctx {
  readonly side: "request" | "response"
  readonly out: Array<Mismatch>
  /** Skip members that pass their fast check (always, except in tests comparing with the full walk). */
  readonly gated: boolean
}

const INT = /^-?(0|[1-9]\d*)$/

/** The exact integer a canonical decimal text stands for (number when safe, else bigint), or `undefined`. */
export const integerOfText = (s: string): number | bigint | undefined => {
  if (!INT.test(s) || s === "-0") return undefined
  const n = Number(s)
  return Number.isSafeInteger(n) ? n : BigInt(s)
}

/** The number a canonical number text stands for (`String(n) === s`), or `undefined`. */
export const numberOfText = (s: string): number | undefined => {
  if (s === "" || s.trim() !== s) return undefined
  const n = Number(s)
  return Number.isFinite(n) && String(n) === s ? n : undefined
}

/** The canonical text of a scalar: numbers as `String`, bigints as digits, booleans as `true`/`false`. */
export const textOf = (v: number | bigint | boolean): string => String(v)

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

const inRange = (tc: "int64" | "uint64", v: number | bigint): boolean =>
  typeof v === "number" ? tc === "int64" || v >= 0 : tc === "int64" ? v >= INT64_MIN && v <= INT64_MAX : v >= 0n && v <= UINT64_MAX

const unwrap = (ast: AST.AST): AST.AST => {
  while (ast._tag === "Suspend") ast = ast.f()
  return ast
}

const expectedMemo = /*#__PURE__*/ new WeakMap<AST.AST, string>()

/** What the schema declares at a node, for messages. */
export const expectedOf = (ast0: AST.AST): string => {
  let e = expectedMemo.get(ast0)
  if (e === undefined) expectedMemo.set(ast0, (e = expectedText(ast0)))
  return e
}

const expectedText = (ast0: AST.AST): string => {
  const ast = unwrap(ast0)
  const tc = ast.annotations[TcType]
  if (tc === "int64") return "an integer (int64, from -2^63 to 2^63-1)"
  if (tc === "uint64") return "an integer (uint64, from 0 to 2^64-1)"
  if (tc === "binary") return "bytes"
  if (tc === "float") return "a number"
  if (tc === "bool") return "a boolean"
  if (typeof tc === "string") return tc === "string" ? "a string" : `a string (${tc})`
  switch (ast._tag) {
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "BooleanKeyword":
      return "a boolean"
    case "TupleType":
      return ast.rest.length === 1 ? `a list of ${expectedOf(ast.rest[0].type).replace(/^an? /, "")}` : "a list"
    case "TypeLiteral": {
      const id = ast.annotations[Symbol.for("effect/annotation/Identifier")]
      return typeof id === "string" ? `an object (${id})` : "an object"
    }
    case "Union": {
      const t = ast.types.filter((m) => m._tag !== "UndefinedKeyword")
      const nullable = t.some((m) => m._tag === "Literal" && m.literal === null)
      const inner = t.filter((m) => !(m._tag === "Literal" && m.literal === null))
      return inner.length === 1 ? `${expectedOf(inner[0])}${nullable ? " or null" : ""}` : String(ast)
    }
  }
  return String(ast)
}

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && !(u instanceof Uint8Array)

/** Does `ast` accept `null` (a `NullOr`)? */
const acceptsNull = (ast0: AST.AST): boolean => {
  const ast = unwrap(ast0)
  return ast._tag === "Union" && ast.types.some((m) => (m._tag === "Literal" && m.literal === null) || acceptsNull(m))
}

const note = (ctx: Ctx, path: ReadonlyArray<string | number>, ast: AST.AST, got: unknown, resolution: Resolution) => {
  ctx.out.push({ path: [...path], expected: expectedOf(ast), got, resolution: ctx.side === "request" && resolution !== "coerced" && resolution !== "absent" ? "invalid" : resolution })
}

/** A value that is not the declared type and cannot be converted. */
const refuse = (ctx: Ctx, path: Array<string | number>, ast: AST.AST, got: unknown): typeof SKIP => {
  note(ctx, path, ast, got, "set aside")
  return SKIP
}

const go = (ast0: AST.AST, v: unknown, path: Array<string | number>, ctx: Ctx): unknown => {
  const ast = unwrap(ast0)
  const tc = ast.annotations[TcType]
  const response = ctx.side === "response"
  if (tc === "int64" || tc === "uint64") {
    if (typeof v === "bigint" || Number.isSafeInteger(v)) {
      if (inRange(tc, v as number | bigint)) return v
      // out of the wire type's range: the server cannot store it (requests); kept in an answer
      note(ctx, path, ast, v, "kept")
      return v
    }
    if (typeof v === "string") {
      const n = integerOfText(v)
      if (n !== undefined && inRange(tc, n)) return note(ctx, path, ast, v, "coerced"), n
    }
    if (response && typeof v === "number" && Number.isFinite(v)) return note(ctx, path, ast, v, "kept"), v
    return refuse(ctx, path, ast, v)
  }
  if (tc === "binary") return v instanceof Uint8Array ? v : refuse(ctx, path, ast, v)
  switch (ast._tag) {
    case "StringKeyword": {
      if (typeof v === "string") return v
      if (response) {
        if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") {
          if (typeof v !== "number" || Number.isFinite(v)) return note(ctx, path, ast, v, "coerced"), textOf(v)
        }
        if (typeof v === "object" && v !== null && !(v instanceof Uint8Array)) return note(ctx, path, ast, v, "coerced"), Json.stringify(v)
      }
      return refuse(ctx, path, ast, v)
    }
    case "NumberKeyword": {
      if (typeof v === "number" && Number.isFinite(v)) return v
      if (typeof v === "string") {
        const n = numberOfText(v)
        if (n !== undefined) return note(ctx, path, ast, v, "coerced"), n
      }
      if (response && typeof v === "bigint" && BigInt(Number(v)) === v) return note(ctx, path, ast, v, "coerced"), Number(v)
      return refuse(ctx, path, ast, v)
    }
    case "BooleanKeyword": {
      if (typeof v === "boolean") return v
      if (v === "true" || v === "false") return note(ctx, path, ast, v, "coerced"), v === "true"
      return refuse(ctx, path, ast, v)
    }
    case "Union": {
      const rest = ast.types.filter((m) => m._tag !== "UndefinedKeyword" && !(m._tag === "Literal" && m.literal === null))
      if (rest.length === 1) return v === null && acceptsNull(ast) ? v : go(rest[0], v, path, ctx)
      break
    }
    case "TupleType": {
      if (ast.elements.length > 0 || ast.rest.length !== 1) break
      const item = ast.rest[0].type
      if (!Array.isArray(v)) {
        if (response && v !== null && v !== undefined) {
          // a single value where a list is declared: wrapped only when it matches the item exactly
          const probe: Ctx = { side: "response", out: [], gated: ctx.gated }
          const r = go(item, v, path, probe)
          if (r !== SKIP && probe.out.length === 0) return note(ctx, path, ast, v, "wrapped"), [v]
        }
        return refuse(ctx, path, ast, v)
      }
      let copy: Array<unknown> | undefined
      const gate = gates(ast, () => [item], ctx.side)[0]
      for (let i = 0; i < v.length; i++) {
        const e = v[i]
        if (ctx.gated && gate(e) === undefined) {
          if (copy !== undefined) copy.push(e)
          continue
        }
        path.push(i)
        const r = e === null && !acceptsNull(item) ? refuse(ctx, path, item, e) : go(item, e, path, ctx)
        path.pop()
        if (r !== e) {
          copy ??= v.slice(0, i)
          if (r !== SKIP) copy.push(r)
        } else if (copy !== undefined) copy.push(e)
      }
      return copy ?? v
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0) break
      if (!isObject(v)) return refuse(ctx, path, ast, v)
      let copy: Record<string, unknown> | undefined
      let known = knownMemo.get(ast)
      if (known === undefined) knownMemo.set(ast, (known = new Set(ast.propertySignatures.map((p) => p.name as string))))
      const ps = ast.propertySignatures
      const gate = gates(ast, () => ps.map((p) => p.type), ctx.side)
      for (let i = 0; i < ps.length; i++) {
        const p = ps[i]
        const name = p.name as string
        const m = v[name]
        if (ctx.gated && m !== undefined && gate[i](m) === undefined) continue
        path.push(name)
        if (m === undefined) {
          if (!p.isOptional) note(ctx, path, p.type, undefined, "missing")
        } else if (m === null && !acceptsNull(p.type)) {
          // null where the spec does not allow it: absent (a required member is then missing too)
          note(ctx, path, p.type, null, p.isOptional || response ? "absent" : "invalid")
          copy ??= { ...v }
          delete copy[name]
        } else {
          const r = go(p.type, m, path, ctx)
          if (r !== m) {
            copy ??= { ...v }
            if (r === SKIP) delete copy[name]
            else copy[name] = r
          }
        }
        path.pop()
      }
      for (const k in v) {
        if (known.has(k)) continue
        path.push(k)
        ctx.out.push({
          path: [...path],
          expected: response ? "nothing (the spec has no such member)" : "no such member (names are case sensitive)",
          got: v[k],
          resolution: response ? "kept" : "invalid"
        })
        path.pop()
      }
      return copy ?? v
    }
  }
  const is = Schema.is(Schema.make(ast))
  return is(v) ? v : refuse(ctx, path, ast, v)
}

/**
 * Walk `value` against `ast`: every mismatch, and the repaired value (`undefined` when the root
 * itself had to be set aside). `options.gated: false` visits every member, even those that pass
 * their fast check (property tests check that both walks give the same result).
 */
export const walk = (ast: AST.AST, value: unknown, side: "request" | "response", options?: { readonly gated?: boolean }): Walked => {
  const ctx: Ctx = { side, out: [], gated: options?.gated ?? true }
  const r = go(ast, value, [], ctx)
  return { value: r === SKIP ? undefined : r, mismatches: ctx.out }
}

/**
 * A value of `ast` completed with placeholder values where required members are missing
 * (partial mocks): `""` for strings, `0` for numbers and integers, `false`, `[]` for lists, an
 * empty `Uint8Array` for bytes, and objects completed the same way. Members present are kept;
 * present objects and list items are completed recursively. Never mutates `value`.
 */
export const fill = (ast0: AST.AST, value: unknown): unknown => {
  const ast = unwrap(ast0)
  const tc = ast.annotations[TcType]
  if (value !== undefined) {
    if (ast._tag === "Union") {
      const rest = ast.types.filter((m) => m._tag !== "UndefinedKeyword" && !(m._tag === "Literal" && m.literal === null))
      return rest.length === 1 && value !== null ? fill(rest[0], value) : value
    }
    if (ast._tag === "TupleType" && ast.rest.length === 1 && Array.isArray(value)) {
      const item = ast.rest[0].type
      let copy: Array<unknown> | undefined
      for (let i = 0; i < value.length; i++) {
        const r = fill(item, value[i])
        if (r !== value[i]) (copy ??= value.slice())[i] = r
      }
      return copy ?? value
    }
    if (ast._tag === "TypeLiteral" && isObject(value)) {
      let copy: Record<string, unknown> | undefined
      for (const p of ast.propertySignatures) {
        const name = p.name as string
        const m = value[name]
        if (m === undefined && p.isOptional) continue
        const r = fill(p.type, m)
        if (r !== m) (copy ??= { ...value })[name] = r
      }
      return copy ?? value
    }
    return value
  }
  if (tc === "int64" || tc === "uint64") return 0
  if (tc === "binary") return new Uint8Array(0)
  switch (ast._tag) {
    case "StringKeyword":
      return ""
    case "NumberKeyword":
      return 0
    case "BooleanKeyword":
      return false
    case "TupleType":
      return []
    case "Union": {
      const rest = ast.types.filter((m) => m._tag !== "UndefinedKeyword" && !(m._tag === "Literal" && m.literal === null))
      return rest.length === 1 ? fill(rest[0], undefined) : null
    }
    case "TypeLiteral":
      return fill(ast, {})
  }
  return undefined
}
