/**
 * Request validation against an action's wire shape, with the cloud's codes:
 * `MissingParameter` (a required member is absent), `UnknownParameter` (a member the spec does not
 * have), `InvalidParameter` (wrong type or layout), `InvalidParameterValue` (right type, value out
 * of range). Messages name the parameter path the way the v1 wire does (`Filters.0.Values.1`).
 *
 * Also rebuilds nested parameters from flattened `k=v` pairs (GET, v1, multipart), converting the
 * text values to the types the shape asks for.
 *
 * @internal
 */
import type { Shape, StructShape } from "./shape.js"

/** A validation failure, as an API error. */
export class Invalid {
  constructor(
    readonly code: "MissingParameter" | "UnknownParameter" | "InvalidParameter" | "InvalidParameterValue",
    readonly message: string
  ) {}
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

const join = (path: string, key: string | number): string => (path === "" ? String(key) : `${path}.${key}`)

const describe = (v: unknown): string => {
  if (v === null) return "null"
  if (Array.isArray(v)) return "a list"
  if (typeof v === "bigint") return `the integer ${v}`
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`
  if (typeof v === "number") return `the number ${v}`
  if (typeof v === "boolean") return `the boolean ${v}`
  if (v instanceof Uint8Array) return "bytes"
  return "an object"
}

const kindOf = (s: Shape): string => {
  switch (s._tag) {
    case "String":
      return s.format === undefined ? "a string" : `a string (${s.format})`
    case "Int":
      return s.unsigned ? "an unsigned integer (uint64)" : "an integer (int64)"
    case "Float":
      return "a number"
    case "Boolean":
      return "a boolean"
    case "Binary":
      return "file bytes"
    case "Array":
      return `a list of ${kindOf(s.item).replace(/^an? /, "")}s`
    case "Struct":
      return `an object (${s.name})`
    case "Literal":
      return `one of ${s.values.map((v) => JSON.stringify(v)).join(", ")}`
    case "Any":
      return "any value"
  }
}

const suggest = (s: StructShape, key: string): string => {
  const lower = key.toLowerCase()
  const f = s.fields.find((x) => x.name.toLowerCase() === lower)
  if (f !== undefined) return ` Did you mean \`${f.name}\`? Names are case-sensitive.`
  return ""
}

const typeError = (path: string, s: Shape, v: unknown): Invalid =>
  new Invalid("InvalidParameter", `The parameter \`${path}\` must be ${kindOf(s)}, but ${describe(v)} was given.`)

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)

/** Validate a decoded JSON value against a shape; `undefined` when valid. */
export const validate = (shape: Shape, value: unknown, path = ""): Invalid | undefined => {
  switch (shape._tag) {
    case "Any":
      return undefined
    case "String":
      return typeof value === "string" ? undefined : typeError(path, shape, value)
    case "Boolean":
      return typeof value === "boolean" ? undefined : typeError(path, shape, value)
    case "Float":
      return typeof value === "number" || typeof value === "bigint" ? undefined : typeError(path, shape, value)
    case "Binary":
      return value instanceof Uint8Array || typeof value === "string" ? undefined : typeError(path, shape, value)
    case "Literal":
      return shape.values.includes(value as string)
        ? undefined
        : new Invalid("InvalidParameterValue", `The value ${describe(value)} of parameter \`${path}\` is invalid: expected ${kindOf(shape)}.`)
    case "Int": {
      if (typeof value === "number") {
        if (!Number.isInteger(value)) {
          return new Invalid("InvalidParameterValue", `The value ${value} of parameter \`${path}\` is invalid: expected ${kindOf(shape)}.`)
        }
        if (shape.unsigned && value < 0) {
          return new Invalid("InvalidParameterValue", `The value ${value} of parameter \`${path}\` is invalid: expected ${kindOf(shape)}, which cannot be negative.`)
        }
        if (!Number.isSafeInteger(value)) return validate(shape, BigInt(value), path)
        return undefined
      }
      if (typeof value === "bigint") {
        const ok = shape.unsigned ? value >= 0n && value <= UINT64_MAX : value >= INT64_MIN && value <= INT64_MAX
        return ok
          ? undefined
          : new Invalid("InvalidParameterValue", `The value ${value} of parameter \`${path}\` is out of range for ${kindOf(shape)}.`)
      }
      return typeError(path, shape, value)
    }
    case "Array": {
      if (!Array.isArray(value)) return typeError(path, shape, value)
      for (let i = 0; i < value.length; i++) {
        const item = value[i]
        if (item === null || item === undefined) {
          return new Invalid("InvalidParameter", `The parameter \`${join(path, i)}\` must be ${kindOf(shape.item)}, but null was given.`)
        }
        const r = validate(shape.item, item, join(path, i))
        if (r !== undefined) return r
      }
      return undefined
    }
    case "Struct": {
      if (!isPlainObject(value)) return typeError(path === "" ? "(request body)" : path, shape, value)
      for (const key in value) {
        const v = value[key]
        const f = shape.byName.get(key)
        if (f === undefined) {
          return new Invalid(
            "UnknownParameter",
            `The parameter \`${join(path, key)}\` is not recognized${shape.name !== "Struct" ? ` by ${shape.name}` : ""}.${suggest(shape, key)}`
          )
        }
        if (v === null || v === undefined) continue
        const r = validate(f.shape, v, join(path, key))
        if (r !== undefined) return r
      }
      for (const f of shape.fields) {
        if (f.optional) continue
        const v = value[f.name]
        if (v === undefined || v === null) {
          return new Invalid("MissingParameter", `The request is missing a required parameter \`${join(path, f.name)}\`.`)
        }
      }
      return undefined
    }
  }
}

// ---------------------------------------------------------------------------------------------
// flattened parameters
// ---------------------------------------------------------------------------------------------

const INT_TEXT = /^-?\d+$/
const FLOAT_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/

/** Convert one text value to the leaf type a shape asks for. */
const coerce = (shape: Shape, text: string, path: string): unknown | Invalid => {
  switch (shape._tag) {
    case "Int": {
      if (!INT_TEXT.test(text)) return new Invalid("InvalidParameter", `The parameter \`${path}\` must be ${kindOf(shape)}, but ${describe(text)} was given.`)
      const n = Number(text)
      return Number.isSafeInteger(n) ? n : BigInt(text)
    }
    case "Float": {
      if (!FLOAT_TEXT.test(text)) return new Invalid("InvalidParameter", `The parameter \`${path}\` must be ${kindOf(shape)}, but ${describe(text)} was given.`)
      return Number(text)
    }
    case "Boolean":
      // the Python SDK writes True/False
      if (text === "true" || text === "True") return true
      if (text === "false" || text === "False") return false
      return new Invalid("InvalidParameter", `The parameter \`${path}\` must be ${kindOf(shape)}, but ${describe(text)} was given.`)
    case "Literal": {
      const hit = shape.values.find((v) => String(v) === text)
      return hit ?? text
    }
    default:
      return text
  }
}

const isInvalid = (v: unknown): v is Invalid => v instanceof Invalid

/** A leaf value (already typed) or a JSON part (multipart) to place at a flattened path. */
export type FlatValue = string | { readonly json: unknown } | { readonly bytes: Uint8Array }

const INDEX = /^(0|[1-9]\d{0,4})$/
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"])

/**
 * Rebuild nested parameters from flattened pairs (`Filters.0.Values.1=x`), guided by the shape:
 * unknown names are `UnknownParameter`, text converted to integers, numbers and booleans where the
 * shape says so. Without a shape (`Any`), numeric segments make lists and values stay text.
 */
export const unflatten = (
  shape: Shape,
  pairs: ReadonlyArray<readonly [string, FlatValue]>
): { readonly value: Record<string, unknown> } | { readonly invalid: Invalid } => {
  const r = unflattenRaw(shape, pairs)
  return r instanceof Invalid ? { invalid: r } : { value: r }
}

const unflattenRaw = (shape: Shape, pairs: ReadonlyArray<readonly [string, FlatValue]>): Record<string, unknown> | Invalid => {
  const root: Record<string, unknown> = {}
  for (const [key, raw] of pairs) {
    const segs = key.split(".")
    let node: any = root
    let s: Shape = shape
    let path = ""
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]
      const last = i === segs.length - 1
      if (FORBIDDEN.has(seg) || seg === "") return new Invalid("InvalidParameter", `The parameter name \`${key}\` is not valid.`)
      if (Array.isArray(node) && !INDEX.test(seg)) {
        return new Invalid("InvalidParameter", `The parameter \`${path}\` is a list; \`${join(path, seg)}\` should use a numeric index such as \`${join(path, 0)}\`.`)
      }
      let next: Shape
      if (s._tag === "Struct") {
        const f = s.byName.get(seg)
        if (f === undefined) {
          return new Invalid("UnknownParameter", `The parameter \`${join(path, seg)}\` is not recognized${s.name !== "Struct" ? ` by ${s.name}` : ""}.${suggest(s, seg)}`)
        }
        next = f.shape
      } else if (s._tag === "Array") {
        if (!INDEX.test(seg)) {
          return new Invalid("InvalidParameter", `The parameter \`${path}\` is a list; \`${join(path, seg)}\` should use a numeric index such as \`${join(path, 0)}\`.`)
        }
        next = s.item
      } else if (s._tag === "Any") {
        next = s
      } else {
        return new Invalid("InvalidParameter", `The parameter \`${path}\` must be ${kindOf(s)}; it cannot have a member \`${join(path, seg)}\`.`)
      }
      path = join(path, seg)
      const container = s._tag === "Array" || (s._tag === "Any" && INDEX.test(seg) && Array.isArray(node)) ? "array" : "object"
      const k: string | number = container === "array" ? Number(seg) : seg
      if (last) {
        let value: unknown
        if (typeof raw === "string") {
          value = next._tag === "Any" ? raw : coerce(next, raw, path)
          if (isInvalid(value)) return value
          if ((next._tag === "Struct" || next._tag === "Array") && raw !== "") {
            return new Invalid("InvalidParameter", `The parameter \`${path}\` must be ${kindOf(next)}; give its members as \`${path}.<name>\` or \`${path}.0\`.`)
          }
          if ((next._tag === "Struct" || next._tag === "Array") && raw === "") continue
        } else if ("json" in raw) value = raw.json
        else value = raw.bytes
        node[k] = value
      } else {
        let child = node[k]
        if (child === undefined || child === null || typeof child !== "object") {
          const nextIsArray = next._tag === "Array" || (next._tag === "Any" && INDEX.test(segs[i + 1]))
          child = nextIsArray ? [] : {}
          node[k] = child
        }
        node = child
      }
      s = next
    }
  }
  return compact(root) as Record<string, unknown>
}

/** Remove holes left by sparse indices (`A.0`, `A.2`), keeping index order. */
const compact = (v: unknown): unknown => {
  if (Array.isArray(v)) {
    const out: Array<unknown> = []
    for (let i = 0; i < v.length; i++) if (i in v) out.push(compact(v[i]))
    return out
  }
  if (isPlainObject(v)) {
    for (const k in v) v[k] = compact(v[k])
  }
  return v
}
