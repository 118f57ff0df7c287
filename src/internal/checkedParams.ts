/**
 * Checked layouts of request parameters for the query/form (GET, v1) and multipart bodies: the
 * same rules as `Json.stringifyChecked` (the JSON body), so a value that cannot be sent is
 * refused with its path in every layout, never altered, dropped or thrown.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Json from "../Json.js"

/** A scalar as the text v1 forms and multipart parts send; `undefined` for anything else. */
export const scalarString = (v: unknown): string | undefined => {
  switch (typeof v) {
    case "string":
      return v
    case "number":
      return Number.isFinite(v) ? String(v) : undefined
    case "bigint":
      return v.toString()
    case "boolean":
      return v ? "true" : "false"
    default:
      return undefined
  }
}

/**
 * `Signer.v1Flatten` for request parameters, or the member that cannot be sent: a non-finite
 * number (dropped by `Signer.v1Flatten`), a lone surrogate in a name or value, a cycle, nesting
 * deeper than `Json.MAX_DEPTH`, a `toJSON` that throws, bytes, a function or symbol, or more than
 * `maxLength` characters in all. `toJSON` is honoured (a `Date` is sent as its ISO text), as in
 * the JSON body. Never throws.
 */
export const v1FlattenChecked = (
  params: unknown,
  options?: { readonly maxLength?: number | undefined }
): Either.Either<Array<[string, string]>, Json.Problem> => {
  const max = options?.maxLength ?? Json.MAX_LENGTH
  const out: Array<[string, string]> = []
  const path: Array<string | number> = []
  const ancestors: Array<object> = []
  let length = 0
  let problem: string | undefined
  const refuse = (p: string) => {
    problem = p
    return false
  }
  const walk = (v: unknown, prefix: string): boolean => {
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") {
      try {
        v = (v as { toJSON: (k: string) => unknown }).toJSON(String(path.length === 0 ? "" : path[path.length - 1]))
      } catch (e) {
        return refuse(`its toJSON() threw (${e instanceof Error ? e.name : typeof e})`)
      }
    }
    if (v === null || v === undefined) return true
    if (typeof v === "function" || typeof v === "symbol") return refuse(`a ${typeof v} cannot be sent; give a JSON value`)
    if (v instanceof Uint8Array) return refuse("bytes cannot be sent in a query or form; upload actions send them as multipart (POST, TC3)")
    if (typeof v === "object") {
      if (ancestors.includes(v)) return refuse("the value refers to itself (a circular reference); send a tree, not a graph")
      if (ancestors.length >= Json.MAX_DEPTH) return refuse(`it is nested deeper than ${Json.MAX_DEPTH} levels; flatten the value`)
      ancestors.push(v)
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          path.push(i)
          if (!walk(v[i], prefix === "" ? String(i) : `${prefix}.${i}`)) return false
          path.pop()
        }
      } else {
        for (const k of Object.keys(v)) {
          path.push(k)
          const bad = Json.loneSurrogate(k)
          if (bad !== undefined) return refuse(bad)
          if (!walk((v as Record<string, unknown>)[k], prefix === "" ? k : `${prefix}.${k}`)) return false
          path.pop()
        }
      }
      ancestors.pop()
      return true
    }
    if (typeof v === "number") {
      const bad = Json.nonFinite(v)
      if (bad !== undefined) return refuse(bad)
    }
    if (typeof v === "string") {
      const bad = Json.loneSurrogate(v)
      if (bad !== undefined) return refuse(bad)
    }
    const s = scalarString(v)
    if (s === undefined) return true
    length += prefix.length + s.length + 2
    if (length > max) return refuse(`the parameters are over ${max} characters (the request size limit); send less per call`)
    out.push([prefix, s])
    return true
  }
  try {
    if (walk(params, "")) return Either.right(out)
  } catch (e) {
    problem = `it cannot be read (${e instanceof Error ? e.name : typeof e})`
  }
  return Either.left({ path: Json.formatPath(path), problem: problem ?? "it cannot be sent" })
}

/** The problem of a multipart part that cannot be sent, or `undefined`. */
export const checkPart = (name: string, v: unknown): Json.Problem | undefined => {
  const badName = Json.loneSurrogate(name)
  if (badName !== undefined) return { path: name, problem: badName }
  if (v === undefined || v === null || v instanceof Uint8Array) return undefined
  if (typeof v === "object") {
    const r = Json.stringifyChecked(v)
    return Either.isLeft(r) ? { path: r.left.path === "" ? name : `${name}${r.left.path.startsWith("[") ? "" : "."}${r.left.path}`, problem: r.left.problem } : undefined
  }
  if (typeof v === "number") {
    const bad = Json.nonFinite(v)
    return bad === undefined ? undefined : { path: name, problem: bad }
  }
  if (typeof v === "string") {
    const bad = Json.loneSurrogate(v)
    return bad === undefined ? undefined : { path: name, problem: bad }
  }
  if (typeof v === "function" || typeof v === "symbol") return { path: name, problem: `a ${typeof v} cannot be sent` }
  return undefined
}

