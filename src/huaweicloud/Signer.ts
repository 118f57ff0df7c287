/**
 * Request signing for Huawei Cloud: APIG AK/SK `SDK-HMAC-SHA256` and the derived-key variant
 * `V11-HMAC-SHA256`, as pure exported functions so that each step can be checked against the
 * APIG signing guide and the official SDKs.
 *
 * Rules (the Python SDK v3 and the APIG guide; where the Node SDK differs, see docs/huaweicloud.md):
 * - Canonical URI: the path is percent-decoded, each `/`-segment encoded once (unreserved
 *   `A-Z a-z 0-9 - _ . ~`), and a trailing `/` appended when missing. The request itself keeps its path.
 * - Canonical query: keys sorted in code-unit order, list values sorted and repeated, `k=v` encoded
 *   the same way, `=` kept for empty values. The query is sent in this order.
 * - Signed headers: every header sent, lower-cased and sorted, except names containing `_`;
 *   values trimmed (and sent trimmed).
 * - Payload hash: hex SHA-256 of the exact body bytes; `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`
 *   replaces it for a non-empty body (streams and multipart uploads).
 * - `X-Sdk-Date` is `YYYYMMDDTHHMMSSZ` (UTC); `Host` is the header sent, port included.
 *
 * @since 0.1.0
 */
import { createHmac, hkdfSync } from "node:crypto"
import { hashHex } from "../internal/signing.js"

/** `SDK-HMAC-SHA256`, the APIG AK/SK algorithm. */
export const ALGORITHM = "SDK-HMAC-SHA256"
/** `V11-HMAC-SHA256`, the derived-key algorithm. */
export const DERIVED_ALGORITHM = "V11-HMAC-SHA256"
/** The header that carries the signing time. */
export const DATE_HEADER = "X-Sdk-Date"
/** The header that replaces the payload hash. */
export const CONTENT_SHA256_HEADER = "X-Sdk-Content-Sha256"
/** The value of {@link CONTENT_SHA256_HEADER} for bodies that are not hashed. */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
/** The hash of the empty body. */
export const EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/** Lower-case hex SHA-256 of UTF-8 text or bytes. */
export const sha256Hex = (data: string | Uint8Array): string => hashHex("sha256", data)

/** Lower-case hex HMAC-SHA256. */
export const hmacSha256Hex = (key: string | Uint8Array, message: string): string =>
  createHmac("sha256", key).update(message).digest("hex")

/** `YYYYMMDDTHHMMSSZ` of an instant in milliseconds (UTC). */
export const formatDate = (millis: number): string => {
  const iso = new Date(Math.floor(millis / 1000) * 1000).toISOString() // 2020-06-08T02:39:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
}

/** The instant (ms) of an `X-Sdk-Date` value, or `undefined` when it is not `YYYYMMDDTHHMMSSZ`. */
export const parseDate = (value: string): number | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (m === null) return undefined
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])
  return Number.isNaN(ms) || formatDate(ms) !== value ? undefined : ms
}

const HEX = "0123456789ABCDEF"
const isUnreserved = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e

/** Percent-encode UTF-8 text, leaving only `A-Z a-z 0-9 - _ . ~` (upper-case hex). */
export const encode = (text: string): string => {
  let simple = true
  for (let i = 0; i < text.length; i++) {
    if (!isUnreserved(text.charCodeAt(i))) {
      simple = false
      break
    }
  }
  if (simple) return text
  let out = ""
  for (const b of Buffer.from(text, "utf8")) {
    out += isUnreserved(b) ? String.fromCharCode(b) : "%" + HEX[b >> 4] + HEX[b & 15]
  }
  return out
}

/** Percent-decode a path; malformed escapes stay as they are. */
export const decodePath = (path: string): string => {
  if (!path.includes("%")) return path
  try {
    return decodeURIComponent(path)
  } catch {
    return path.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run)
      } catch {
        return run
      }
    })
  }
}

/**
 * The canonical URI: decode, encode each segment once, end with `/`.
 *
 * @example
 * ```ts
 * canonicalUri("/v1/x/vpcs") // "/v1/x/vpcs/"
 * canonicalUri("/v1/a%20b/文") // "/v1/a%20b/%E6%96%87/"
 * ```
 */
export const canonicalUri = (path: string): string => {
  const encoded = decodePath(path === "" ? "/" : path).split("/").map(encode).join("/")
  return encoded.endsWith("/") ? encoded : encoded + "/"
}

/** A query value: scalars, or a list sent as repeated keys. */
export type QueryValue = string | number | boolean | bigint | ReadonlyArray<string | number | boolean | bigint>

/** A query as a record (keys once, lists repeated). */
export type Query = Readonly<Record<string, QueryValue | undefined>>

const scalar = (v: string | number | boolean | bigint): string => (typeof v === "string" ? v : String(v))

/** The query as sorted `[key, value]` pairs: keys in code-unit order, list values sorted. */
export const queryPairs = (query: Query): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  const keys = Object.keys(query).filter((k) => query[k] !== undefined).sort()
  for (const k of keys) {
    const v = query[k]!
    if (Array.isArray(v)) {
      const values = (v as ReadonlyArray<string | number | boolean | bigint>).map(scalar).sort()
      for (const s of values) out.push([k, s])
    } else {
      out.push([k, scalar(v as string | number | boolean | bigint)])
    }
  }
  return out
}

/** The canonical query string (also the query string sent): `enc(k)=enc(v)` joined by `&`. */
export const canonicalQueryString = (query: Query): string =>
  queryPairs(query).map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")

/** Whether a header takes part in the signature (names with `_` do not). */
export const isSignedHeader = (name: string): boolean => !name.includes("_")

/** The signed header names (lower case, sorted, `;`-joined) and the canonical header block. */
export const canonicalHeaders = (
  headers: Readonly<Record<string, string>>
): { readonly signedHeaders: string; readonly canonical: string } => {
  const entries: Array<readonly [string, string]> = []
  for (const name of Object.keys(headers)) {
    if (isSignedHeader(name)) entries.push([name.toLowerCase(), headers[name].trim()])
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return {
    signedHeaders: entries.map((e) => e[0]).join(";"),
    canonical: entries.map(([k, v]) => `${k}:${v}\n`).join("")
  }
}

const headerValue = (headers: Readonly<Record<string, string>>, name: string): string | undefined => {
  const lower = name.toLowerCase()
  for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) return headers[k]
  return undefined
}

/** A body as signed: bytes, text, or a stream that is never hashed (`UNSIGNED-PAYLOAD`). */
export type SigningBody = undefined | string | Uint8Array | { readonly _tag: "Unsigned" }

/**
 * The payload hash: the `X-Sdk-Content-Sha256` value for a non-empty body when the header is set
 * (a stream must set it), else the hex SHA-256 of the body bytes.
 */
export const payloadHash = (body: SigningBody, headers: Readonly<Record<string, string>>): string => {
  const declared = headerValue(headers, CONTENT_SHA256_HEADER)
  const empty = body === undefined || (typeof body !== "object" ? body.length === 0 : body instanceof Uint8Array && body.length === 0)
  if (declared !== undefined && !empty) return declared.trim()
  if (body === undefined) return EMPTY_BODY_SHA256
  if (typeof body === "string" || body instanceof Uint8Array) return body.length === 0 ? EMPTY_BODY_SHA256 : sha256Hex(body)
  return declared?.trim() ?? UNSIGNED_PAYLOAD
}

/** Everything the signature covers. `headers` are those sent, `Host` and `X-Sdk-Date` included. */
export interface SigningInput {
  readonly method: string
  /** The path as sent (percent-encoded or not). */
  readonly path: string
  readonly query: Query
  readonly headers: Readonly<Record<string, string>>
  readonly body: SigningBody
}

/** The canonical request (no newline after the payload hash). */
export const canonicalRequest = (input: SigningInput): { readonly text: string; readonly signedHeaders: string } => {
  const h = canonicalHeaders(input.headers)
  const text = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQueryString(input.query),
    h.canonical,
    h.signedHeaders,
    payloadHash(input.body, input.headers)
  ].join("\n")
  return { text, signedHeaders: h.signedHeaders }
}

/** `SDK-HMAC-SHA256\n<date>\n<hex sha256 of the canonical request>`. */
export const stringToSign = (date: string, canonicalRequestText: string): string =>
  `${ALGORITHM}\n${date}\n${sha256Hex(canonicalRequestText)}`

/** `hex(HMAC-SHA256(SK, stringToSign))`. */
export const signature = (secretKey: string, toSign: string): string => hmacSha256Hex(secretKey, toSign)

/** `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>`. */
export const authorization = (accessKey: string, signedHeaders: string, sig: string): string =>
  `${ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders}, Signature=${sig}`

/** The `Authorization` value of a request whose headers already hold `Host` and `X-Sdk-Date`. */
export const authorize = (input: SigningInput, accessKey: string, secretKey: string): string => {
  const date = headerValue(input.headers, DATE_HEADER) ?? ""
  const cr = canonicalRequest(input)
  return authorization(accessKey, cr.signedHeaders, signature(secretKey, stringToSign(date, cr.text)))
}

// ---------------------------------------------------------------------------------------------
// V11-HMAC-SHA256 (derived key)

/** `yyyymmdd/<region>/<service>` (region `globe` for global credentials). */
export const derivationInfo = (date: string, region: string, service: string): string =>
  `${date.slice(0, 8)}/${region}/${service}`

/** `hex(HKDF-SHA256(ikm = SK, salt = AK, info, 32))`: used as text for the HMAC key. */
export const derivedKey = (accessKey: string, secretKey: string, info: string): string =>
  Buffer.from(hkdfSync("sha256", Buffer.from(secretKey, "utf8"), Buffer.from(accessKey, "utf8"), Buffer.from(info, "utf8"), 32)).toString("hex")

/** `V11-HMAC-SHA256\n<date>\n<info>\n<hex sha256 of the canonical request>`. */
export const derivedStringToSign = (date: string, info: string, canonicalRequestText: string): string =>
  `${DERIVED_ALGORITHM}\n${date}\n${info}\n${sha256Hex(canonicalRequestText)}`

/** The `V11-HMAC-SHA256 Credential=<AK>/<info>, SignedHeaders=…, Signature=…` value. */
export const authorizeDerived = (
  input: SigningInput,
  accessKey: string,
  secretKey: string,
  scope: { readonly region: string; readonly service: string }
): string => {
  const date = headerValue(input.headers, DATE_HEADER) ?? ""
  const info = derivationInfo(date, scope.region, scope.service)
  const cr = canonicalRequest(input)
  const sig = hmacSha256Hex(derivedKey(accessKey, secretKey, info), derivedStringToSign(date, info, cr.text))
  return `${DERIVED_ALGORITHM} Credential=${accessKey}/${info}, SignedHeaders=${cr.signedHeaders}, Signature=${sig}`
}

/**
 * The default rule for the derived algorithm, as the SDK's: a host that is NOT a public Huawei
 * Cloud endpoint (`<svc>[.<region>].[my]huaweicloud.com` or `myhwclouds`).
 */
export const isPublicEndpoint = (hostname: string): boolean =>
  /^[a-z][a-z0-9-]+(\.[a-z]{2,}-[a-z]+-\d{1,2})?\.(my)?(huaweicloud|myhwclouds)\.(com|cn)$/.test(hostname)

// ---------------------------------------------------------------------------------------------
// one request

/** What {@link signRequest} needs besides the request. */
export interface SigningKey {
  readonly accessKey: string
  readonly secretKey: string
  readonly securityToken?: string | undefined
  /** Sent as `X-Project-Id` (regional services). */
  readonly projectId?: string | undefined
  /** Sent as `X-Domain-Id` (global services). */
  readonly domainId?: string | undefined
  /** Sign with `V11-HMAC-SHA256` for this scope instead. */
  readonly derived?: { readonly region: string; readonly service: string } | undefined
}

/** A request to sign: `host` with its port when it has one. */
export interface UnsignedRequest {
  readonly method: string
  readonly host: string
  readonly path: string
  readonly query: Query
  readonly headers: Readonly<Record<string, string>>
  readonly body: SigningBody
}

/**
 * Sign one request at `nowMillis`: adds `Host`, `X-Sdk-Date` (unless given), `X-Security-Token`,
 * `X-Project-Id` / `X-Domain-Id`, trims header values, and returns the headers to send with
 * `Authorization` and the query string to send (canonical order).
 */
export const signRequest = (
  request: UnsignedRequest,
  key: SigningKey,
  nowMillis: number
): { readonly headers: Record<string, string>; readonly queryString: string } => {
  const headers: Record<string, string> = {}
  for (const k of Object.keys(request.headers)) headers[k] = request.headers[k].trim()
  if (headerValue(headers, "host") === undefined) headers["Host"] = request.host
  if (headerValue(headers, DATE_HEADER) === undefined) headers[DATE_HEADER] = formatDate(nowMillis)
  if (key.securityToken !== undefined && key.securityToken !== "") headers["X-Security-Token"] = key.securityToken
  if (key.projectId !== undefined && key.projectId !== "") headers["X-Project-Id"] = key.projectId
  else if (key.domainId !== undefined && key.domainId !== "") headers["X-Domain-Id"] = key.domainId
  const input: SigningInput = { method: request.method, path: request.path, query: request.query, headers, body: request.body }
  headers["Authorization"] = key.derived !== undefined
    ? authorizeDerived(input, key.accessKey, key.secretKey, key.derived)
    : authorize(input, key.accessKey, key.secretKey)
  return { headers, queryString: canonicalQueryString(request.query) }
}
