/**
 * Signing an API 2.0 request: the v1 signature of `src/Signer.ts` (`v1StringToSign`,
 * `v1Signature`, `formEncode`) over `METHOD + host + /v2/index.php + ? + k=v&...`, with the
 * common parameters `Action`, `Nonce`, `Region`, `SecretId`, `SignatureMethod`, `Timestamp` and
 * `Token` beside the caller's.
 *
 * One API 2.0 rule on top of the shared v1 functions: in the string to sign, underscores in
 * parameter names read as dots. The API 2.0 servers received `a.b` as `a_b` (PHP turns dots in
 * parameter names into underscores) and sign what they received with the dots put back; both
 * official qcloudapi SDKs (Python, Node) rename keys the same way before signing. Names without
 * `_`, which is nearly all of them, are unaffected.
 *
 * @internal
 */
import { formEncode, v1Signature, v1StringToSign } from "../../Signer.js"
import { signedName } from "./params.js"

/** The two v1 signature methods. */
export type SignatureMethod = "HmacSHA1" | "HmacSHA256"

/** Everything one signature depends on. */
export interface SignInput {
  readonly method: "GET" | "POST"
  /** The exact `Host` sent (port included when not the default). */
  readonly host: string
  readonly path: string
  readonly action: string
  readonly region?: string | undefined
  readonly signatureMethod: SignatureMethod
  /** The caller's parameters, flattened. */
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly secretId: string
  readonly secretKey: string
  readonly token?: string | undefined
  /** Unix seconds (floored). */
  readonly timestamp: number
  /** A positive integer (the Python SDK draws up to 2^63, hence `bigint`). */
  readonly nonce: number | bigint
  /** Sent as `RequestClient` when set. */
  readonly requestClient?: string | undefined
}

/** A signed parameter list. */
export interface Signed {
  /** Every parameter sent, sorted by name, `Signature` last. */
  readonly pairs: ReadonlyArray<readonly [string, string]>
  readonly stringToSign: string
  readonly signature: string
  /** `pairs` form-encoded (RFC 3986): the query of a GET, the body of a POST. */
  readonly encoded: string
}

const byName = (a: readonly [string, string], b: readonly [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/** The API 2.0 string to sign: the v1 string over the parameters with `_` read as `.` in names. */
export const stringToSign = (method: string, host: string, path: string, pairs: ReadonlyArray<readonly [string, string]>): string =>
  v1StringToSign(method, host, path, pairs.map((p) => [signedName(p[0]), p[1]] as const))

/** Sign one request. Pure. */
export const sign = (i: SignInput): Signed => {
  const pairs: Array<readonly [string, string]> = [...i.params]
  pairs.push(["Action", i.action], ["Nonce", String(i.nonce)], ["SecretId", i.secretId])
  pairs.push(["SignatureMethod", i.signatureMethod], ["Timestamp", String(Math.floor(i.timestamp))])
  if (i.region !== undefined && i.region !== "") pairs.push(["Region", i.region])
  if (i.token !== undefined && i.token !== "") pairs.push(["Token", i.token])
  if (i.requestClient !== undefined && i.requestClient !== "") pairs.push(["RequestClient", i.requestClient])
  pairs.sort(byName)
  const sts = stringToSign(i.method, i.host, i.path, pairs)
  const signature = v1Signature(i.signatureMethod, i.secretKey, sts)
  pairs.push(["Signature", signature])
  return { pairs, stringToSign: sts, signature, encoded: formEncode(pairs) }
}
