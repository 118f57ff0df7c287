/**
 * Parameters of an API 2.0 call: checked and flattened by the v1 signer's own checked flattening
 * (`Signer.v1FlattenChecked`: `instanceIds.0`, `Filters.0.Values.1`; functions, symbols, cycles,
 * bytes, `NaN`, lone surrogates refused with their path), so API 3.0's v1 signature and API 2.0
 * share one rule. On top of it: the parameters the signer sets itself are refused, `Region` and
 * `SignatureMethod` given as parameters are per-call values (as in the qcloudapi SDKs), and two
 * parameters that would be signed under the same name are refused.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { v1FlattenChecked } from "../../Signer.js"

/** Parameters the signer sets; a caller's value would be sent twice or overwritten. */
export const RESERVED: ReadonlyArray<string> = ["Action", "Nonce", "SecretId", "Signature", "Timestamp", "Token"]

/** What is wrong with one parameter. */
export interface ParamProblem {
  /** Where: `params.Filters[0].Values`. */
  readonly field: string
  readonly problem: string
  readonly fix: string
}

/** The name a parameter has in the string to sign: underscores read as dots (see `sign.ts`). */
export const signedName = (name: string): string => (name.includes("_") ? name.replaceAll("_", ".") : name)

/** Business parameters flattened, in the caller's order, and the per-call values found among them. */
export interface FlatParams {
  readonly pairs: ReadonlyArray<readonly [string, string]>
  /** `Region` given as a parameter (the qcloudapi SDKs' per-call region). */
  readonly region?: string | undefined
  /** `SignatureMethod` given as a parameter. */
  readonly signatureMethod?: string | undefined
}

const isPlainObject = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** Check and flatten the parameters of one call; `maxLength` bounds the flattened text. */
export const flatten = (params: unknown, maxLength: number): Either.Either<FlatParams, ParamProblem> => {
  if (params === undefined || params === null) return Either.right({ pairs: [] })
  if (typeof params !== "object" || Array.isArray(params) || !isPlainObject(params)) {
    return Either.left({
      field: "params",
      problem: `expected a plain object of parameters, got ${Array.isArray(params) ? "an array" : typeof params}`,
      fix: "pass an object such as { instanceIds: [\"ins-1\"], limit: 20 }"
    })
  }
  const record = params as Record<string, unknown>
  for (const k of RESERVED) {
    if (record[k] !== undefined) {
      return Either.left({
        field: `params.${k}`,
        problem: `\`${k}\` is set by the signer`,
        fix: "remove it from the parameters (the action is the `action` argument; credentials come from the Credentials layer)"
      })
    }
  }
  const flat = v1FlattenChecked(params, { maxLength })
  if (Either.isLeft(flat)) {
    const { path, problem } = flat.left
    return Either.left({
      field: path === "" ? "params" : `params.${path}`,
      problem,
      fix: /over \d+ characters/.test(problem) ? "the API 2.0 limits are 32 KB (GET) and 1 MB (POST)" : "parameters are strings, numbers, booleans, bigints, arrays and plain objects"
    })
  }
  const pairs: Array<readonly [string, string]> = []
  const seen = new Map<string, string>()
  let region: string | undefined
  let signatureMethod: string | undefined
  for (const p of flat.right) {
    if (p[0] === "Region") region = p[1]
    else if (p[0] === "SignatureMethod") signatureMethod = p[1]
    else {
      const signed = signedName(p[0])
      const before = seen.get(signed)
      if (before !== undefined) {
        return Either.left({
          field: `params.${p[0]}`,
          problem: `\`${p[0]}\` and \`${before}\` are the same parameter once signed (\`${signed}\`: the API 2.0 signature reads "_" as ".")`,
          fix: "give each parameter once"
        })
      }
      seen.set(signed, p[0])
      pairs.push(p)
    }
  }
  return Either.right({ pairs, region, signatureMethod })
}
