/**
 * The legacy v1 signatures of API 3.0 (HmacSHA256, HmacSHA1): parameters flattened into the query
 * or a form body, signed with a nonce. `Signer.ts` re-exports the public parts.
 *
 * @internal
 */
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import type { Credential } from "../Credentials.js"
import type * as Json from "../Json.js"
import { scalarString, v1FlattenChecked } from "./checkedParams.js"
import { callerHeaders, formEncode, type SignedRequest, type UnsignedRequest } from "./signing.js"

/**
 * Flatten parameters the v1 (and TC3 GET) way: nested objects `A.B`, lists `A.0`, `Filters.0.Values.1`;
 * `null`/`undefined` skipped; booleans `true`/`false`; empty lists and objects vanish. Order is the
 * insertion order of the input.
 */
export const v1Flatten = (params: unknown, prefix = "", out: Array<[string, string]> = []): Array<[string, string]> => {
  if (params === null || params === undefined) return out
  if (Array.isArray(params)) {
    for (let i = 0; i < params.length; i++) v1Flatten(params[i], prefix === "" ? String(i) : `${prefix}.${i}`, out)
    return out
  }
  if (typeof params === "object" && !(params instanceof Uint8Array)) {
    for (const k of Object.keys(params)) {
      v1Flatten((params as Record<string, unknown>)[k], prefix === "" ? k : `${prefix}.${k}`, out)
    }
    return out
  }
  const s = scalarString(params)
  if (s !== undefined) out.push([prefix, s])
  return out
}

/** Plain string comparison (UTF-16 code units), as the v1 signature requires. */
const byKey = (a: readonly [string, string], b: readonly [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)

/**
 * The v1 string to sign: `METHOD + host + path + "?" + k=v&...`, keys in plain string order and
 * values raw (not URL-encoded).
 */
export const v1StringToSign = (method: string, host: string, path: string, params: ReadonlyArray<readonly [string, string]>): string => {
  const sorted = [...params].sort(byKey)
  let s = `${method.toUpperCase()}${host}${path}?`
  for (let i = 0; i < sorted.length; i++) s += (i === 0 ? "" : "&") + sorted[i][0] + "=" + sorted[i][1]
  return s
}

/** The v1 signature: base64 of HMAC(secretKey, stringToSign). */
export const v1Signature = (algorithm: "HmacSHA256" | "HmacSHA1", secretKey: string, stringToSign: string): string =>
  createHmac(algorithm === "HmacSHA1" ? "sha1" : "sha256", secretKey).update(stringToSign).digest("base64")

const V1_OWNED: ReadonlySet<string> = /*#__PURE__*/ new Set(["host", "content-type", "authorization"])

/**
 * Lay out and sign a request with a v1 signature (`HmacSHA256` or `HmacSHA1`). All parameters,
 * common ones included, go in the query (GET) or a form body (POST). `nonce` must be a positive
 * integer; the `Signer` service draws it from `Random`.
 */
export const signV1 = (
  algorithm: "HmacSHA256" | "HmacSHA1",
  req: UnsignedRequest,
  credential: Credential,
  timestampSeconds: number,
  nonce: number
): SignedRequest => v1(algorithm, req, credential, timestampSeconds, nonce, false) as SignedRequest

/** {@link signV1}, or the parameter that cannot be sent (see `v1FlattenChecked`). Never throws. */
export const signV1Checked = (
  algorithm: "HmacSHA256" | "HmacSHA1",
  req: UnsignedRequest,
  credential: Credential,
  timestampSeconds: number,
  nonce: number
): Either.Either<SignedRequest, Json.Problem> => {
  const r = v1(algorithm, req, credential, timestampSeconds, nonce, true)
  return "problem" in r ? Either.left(r) : Either.right(r)
}

const v1 = (
  algorithm: "HmacSHA256" | "HmacSHA1",
  req: UnsignedRequest,
  credential: Credential,
  timestampSeconds: number,
  nonce: number,
  checked: boolean
): SignedRequest | Json.Problem => {
  let flat: Array<[string, string]>
  if (checked) {
    const r = v1FlattenChecked(req.params)
    if (Either.isLeft(r)) return r.left
    flat = r.right
  } else flat = v1Flatten(req.params)
  const path = req.path ?? "/"
  const common: Array<[string, string]> = [
    ["Action", req.action],
    ["Nonce", String(nonce)],
    ["Timestamp", String(Math.floor(timestampSeconds))],
    ["Version", req.version],
    ["SecretId", credential.secretId]
  ]
  if (req.region) common.push(["Region", req.region])
  if (credential.token !== undefined) common.push(["Token", Redacted.value(credential.token)])
  if (req.language) common.push(["Language", req.language])
  if (req.requestClient) common.push(["RequestClient", req.requestClient])
  common.push(["SignatureMethod", algorithm])
  // A parameter named like a common one (or `Signature`) would be sent twice; the common value
  // wins, as in the official SDKs, which assign the common parameters over the caller's.
  const reserved = new Set(common.map((p) => p[0]))
  reserved.add("Signature")
  const pairs = flat.filter((p) => !reserved.has(p[0]))
  for (const p of common) pairs.push(p)
  pairs.sort(byKey)
  const signature = v1Signature(algorithm, Redacted.value(credential.secretKey), v1StringToSign(req.method, req.host, path, pairs))
  pairs.push(["Signature", signature])
  const encoded = formEncode(pairs)
  const headers = callerHeaders(req.headers, V1_OWNED)
  headers["Host"] = req.host
  if (req.method === "GET") {
    return { method: "GET", url: `${req.scheme}://${req.host}${path}?${encoded}`, headers, body: undefined }
  }
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return { method: "POST", url: `${req.scheme}://${req.host}${path}`, headers, body: encoded }
}
