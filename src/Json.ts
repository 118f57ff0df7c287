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
 *
 * @since 0.1.0
 */

const LONG_DIGITS = /\d{16}/

/** Parse JSON text; integers beyond 2^53 become `bigint`, everything else is as `JSON.parse`. */
export const parse = (text: string): unknown => {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text)
  return parseSlow(text)
}

const isDigit = (c: number) => c >= 48 && c <= 57
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)

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
