/**
 * Lossless JSON for the API 3.0 wire format.
 *
 * Tencent Cloud's int64/uint64 fields can exceed 2^53 (task ids, SQL ids, role ids). JavaScript's
 * `JSON.parse` silently rounds those. Here:
 *
 * - {@link parse} returns a `number` for every number that fits exactly, and a `bigint` for an
 *   integer literal beyond `Number.MAX_SAFE_INTEGER`. When the text has no run of 16 digits (the
 *   common case) it is exactly `JSON.parse`, so the fast path costs one regular-expression test.
 * - {@link stringify} writes `bigint` values as bare integers (`{"Id":446192236330927912}`).
 * - {@link stringifyChecked} does the same for request parameters and never throws: a value that
 *   cannot be sent (a cycle, nesting deeper than {@link MAX_DEPTH}, a `toJSON` that throws,
 *   `NaN`/`Infinity`, a lone UTF-16 surrogate, a function or symbol, text over the size limit)
 *   is reported with its path instead.
 *
 * @since 0.1.0
 */

import * as Either from "effect/Either"

/** Parse JSON text; integers beyond 2^53 become `bigint`, everything else is as `JSON.parse`. */
export const parse = (text: string): unknown => {
  if (!hasLongDigits(text)) return JSON.parse(text)
  return parseSlow(text)
}

const isDigit = (c: number) => c >= 48 && c <= 57

/**
 * Does `text` hold a run of 16 or more ASCII digits (the only way to write an integer beyond
 * 2^53)? Such a run covers a position that is a multiple of 16, so only those positions are
 * probed, and a run is measured only around a digit found there: about 1/16 of the reads of
 * `/\d{16}/.test(text)` (which was 15-20 % of `JSON.parse`'s time on a 256 KB answer).
 */
const hasLongDigits = (text: string): boolean => {
  const n = text.length
  for (let i = 15; i < n; i += 16) {
    const c = text.charCodeAt(i)
    if (c > 57 || c < 48) continue
    // the run around i is start+1 .. end-1; each side is read only as far as 16 digits can reach
    let start = i - 1
    while (start >= 0 && i - start < 16) {
      const d = text.charCodeAt(start)
      if (d > 57 || d < 48) break
      start--
    }
    let end = i + 1
    while (end < n && end - start <= 16) {
      const d = text.charCodeAt(end)
      if (d > 57 || d < 48) break
      end++
    }
    if (end - start - 1 >= 16) return true
  }
  return false
}
const MAX_SAFE = /*#__PURE__*/ BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = /*#__PURE__*/ BigInt(Number.MIN_SAFE_INTEGER)

const parseSlow = (text: string): unknown => {
  let marker = "@@tcbig@@"
  while (text.includes(marker)) marker += "@"
  let out = ""
  let last = 0
  let found = false
  const n = text.length
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      // skip a string literal, honouring escapes
      i++
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === 92 /* \ */) i += 2
        else if (d === 34) {
          i++
          break
        } else i++
      }
      continue
    }
    if (c === 45 /* - */ || isDigit(c)) {
      const start = i
      i++
      let integer = true
      while (i < n) {
        const d = text.charCodeAt(i)
        if (isDigit(d)) i++
        else if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) {
          integer = false
          i++
        } else break
      }
      if (integer && i - start >= 16) {
        const literal = text.slice(start, i)
        const value = BigInt(literal)
        if (value > MAX_SAFE || value < MIN_SAFE) {
          out += text.slice(last, start) + `"${marker}${literal}"`
          last = i
          found = true
        }
      }
      continue
    }
    i++
  }
  if (!found) return JSON.parse(text)
  out += text.slice(last)
  const mlen = marker.length
  return JSON.parse(out, (_key, value) =>
    typeof value === "string" && value.startsWith(marker) ? BigInt(value.slice(mlen)) : value
  )
}

/**
 * Serialise to JSON; `bigint` values are written as bare integers. `undefined` members are
 * dropped, as with `JSON.stringify`.
 */
export const stringify = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? "null"
  } catch (e) {
    if (!(e instanceof TypeError)) throw e
    return stringifySlow(value)
  }
}

const stringifySlow = (value: unknown): string => {
  const marker = `@@tcbig${Math.random().toString(36).slice(2)}@@`
  const text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? marker + v.toString() : v)) ?? "null"
  return text.replace(new RegExp(`"${marker}(-?\\d+)"`, "g"), "$1")
}

// -------------------------------------------------------------------------------------------------
// checked serialisation of request parameters

/** Why a value cannot be sent: the member's path (`Filters[0].Values`, `""` for the whole value) and what is wrong. */
export interface Problem {
  readonly path: string
  readonly problem: string
}

/** Deepest nesting accepted in request parameters (API 3.0 requests nest a few levels). */
export const MAX_DEPTH = 512

/** Default cap on the JSON text built by {@link stringifyChecked}: 10 MiB, the API 3.0 request limit. */
export const MAX_LENGTH = 10 * 1024 * 1024

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * The one rule for lone surrogates, shared by every layout (JSON body, GET query, v1 form): a
 * string holding a UTF-16 surrogate without its pair is not Unicode text and is refused (JSON
 * would send `\ud800`, UTF-8 would send U+FFFD: either silently changes the value). Returns the
 * problem, or `undefined` for well-formed text.
 */
export const loneSurrogate = (s: string): string | undefined => {
  const m = LONE_SURROGATE.exec(s)
  return m === null
    ? undefined
    : `the text has a lone UTF-16 surrogate (\\u${m[0].charCodeAt(0).toString(16)}) at index ${m.index}, which is not valid Unicode; remove it or repair the text (String.prototype.toWellFormed)`
}

/** The problem of a number that JSON cannot carry, or `undefined`. */
export const nonFinite = (n: number): string | undefined =>
  Number.isFinite(n) ? undefined : `${n} cannot be sent (JSON has no NaN or Infinity); give a finite number`

/** Render a path as `Filters[0].Values` (a path over 200 characters is cut, ending in `…`). */
export const formatPath = (path: ReadonlyArray<string | number>): string => {
  let out = ""
  for (const p of path) {
    out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`
    if (out.length > 200) return out.slice(0, 200) + "…"
  }
  return out
}

const errorText = (e: unknown): string => {
  const m = e instanceof Error ? `${e.name}: ${e.message}` : typeof e
  return m.length > 120 ? m.slice(0, 120) + "..." : m
}

/**
 * Find the first member of `value` that cannot be sent as JSON, or `undefined`. Walks the value
 * as `JSON.stringify` would (own enumerable keys, `toJSON` honoured) without building text;
 * `length` is a lower bound of the text's length, checked against `max`.
 */
const firstProblem = (value: unknown, max: number): Problem | undefined => {
  const path: Array<string | number> = []
  const ancestors: Array<object> = []
  let length = 0
  let problem = ""
  const refuse = (p: string) => {
    problem = p
    return false
  }
  const text = (s: string): boolean => {
    length += s.length + 2
    if (length > max) return refuse(`the JSON text is over ${max} characters (the request size limit); send less per call`)
    if (LONE_SURROGATE.test(s)) return refuse(loneSurrogate(s)!)
    return true
  }
  const walk = (v: unknown, key: string | number): boolean => {
    switch (typeof v) {
      case "string":
        return text(v)
      case "number":
        length += 1
        return Number.isFinite(v) || refuse(nonFinite(v)!)
      case "function":
      case "symbol":
        return refuse(`a ${typeof v} cannot be sent; give a JSON value (string, number, boolean, object, list)`)
      case "object":
        break
      default:
        length += 1
        return true
    }
    if (v === null) return true
    if (typeof (v as { toJSON?: unknown }).toJSON === "function") {
      let j: unknown
      try {
        j = (v as { toJSON: (k: string) => unknown }).toJSON(String(key))
      } catch (e) {
        return refuse(`its toJSON() threw (${errorText(e)})`)
      }
      if (j === null || typeof j !== "object") return walk(j, key)
      v = j
    }
    const o = v as object
    if (ancestors.includes(o)) return refuse("the value refers to itself (a circular reference); send a tree, not a graph")
    if (ancestors.length >= MAX_DEPTH) return refuse(`it is nested deeper than ${MAX_DEPTH} levels; flatten the value`)
    ancestors.push(o)
    length += 2
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        path.push(i)
        if (!walk(o[i], i)) return false
        path.pop()
      }
    } else {
      for (const k of Object.keys(o)) {
        path.push(k)
        if (!text(k) || !walk((o as Record<string, unknown>)[k], k)) return false
        path.pop()
      }
    }
    ancestors.pop()
    return true
  }
  try {
    if (walk(value, "")) return undefined
  } catch (e) {
    // a getter that throws, a Proxy: still a value we cannot send
    problem = `it cannot be read (${errorText(e)})`
  }
  return { path: formatPath(path), problem }
}

/**
 * Serialise request parameters to JSON like {@link stringify} (`bigint` as bare integers,
 * `undefined` members dropped, `toJSON` honoured), or say which member cannot be sent and why.
 * Never throws. The check walks the value once; the text is then built by `JSON.stringify`.
 */
export const stringifyChecked = (
  value: unknown,
  options?: { readonly maxLength?: number | undefined }
): Either.Either<string, Problem> => {
  const max = options?.maxLength ?? MAX_LENGTH
  const bad = firstProblem(value, max)
  if (bad !== undefined) return Either.left(bad)
  try {
    const out = stringify(value)
    return out.length > max
      ? Either.left({ path: "", problem: `the JSON text is over ${max} characters (the request size limit); send less per call` })
      : Either.right(out)
  } catch (e) {
    // a toJSON or getter that fails only on its second call, a string V8 cannot build
    return Either.left({ path: "", problem: `it cannot be serialised (${errorText(e)})` })
  }
}
