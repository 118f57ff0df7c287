/**
 * COS signatures as pure functions: the XML API's `q-sign-algorithm=sha1` `Authorization` (doc
 * 436/7778: sign key, `HttpString`, `StringToSign`), presigned URLs, and the retired v4 JSON API's
 * multi-use, single-use and download signatures for systems that still check them.
 *
 * Nothing here reads the clock or the environment: the caller passes the key time, so the same
 * input always gives the same output (and tests reproduce the documentation's worked examples).
 *
 * Key encoding: the signed path is `/` + the object key exactly as stored (not encoded); the URL
 * path is the key with every byte except RFC 3986 unreserved characters and `/` percent-encoded.
 * Keys with `.`/`..` segments are refused by the client before signing (see `Cos.validateKey`),
 * because HTTP stacks normalise them away and the server would then see another key than the one
 * signed.
 *
 * @since 0.1.0
 */
import { createHash, createHmac } from "node:crypto"
import { encode, encodeKey } from "./internal/encode.js"

/** The headers COS lets a client sign (besides any `x-cos-*` / `x-ci-*`), lower-case. */
export const signableHeaders: ReadonlySet<string> = new Set([
  "cache-control",
  "content-disposition",
  "content-encoding",
  "content-length",
  "content-md5",
  "content-type",
  "expect",
  "expires",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-unmodified-since",
  "origin",
  "range",
  "transfer-encoding",
  "pic-operations"
])

/** Whether a header (any case) is one we sign. */
export const isSignable = (name: string): boolean => {
  const n = name.toLowerCase()
  return signableHeaders.has(n) || n.startsWith("x-cos-") || n.startsWith("x-ci-")
}

/** What one `Authorization` covers. */
export interface SignInput {
  readonly secretId: string
  readonly secretKey: string
  /** HTTP method, any case. */
  readonly method: string
  /** The object key as stored (no leading `/`; `""` for bucket or service requests). */
  readonly key: string
  /** Query parameters to sign (a parameter without value is `""`, e.g. `{ uploads: "" }`). */
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  /** Headers to sign (names any case); see {@link isSignable}. */
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined
  /** Validity, unix seconds: `start;end` (`q-key-time` = `q-sign-time`). */
  readonly startSeconds: number
  readonly endSeconds: number
}

/** `k=v&...` and the `;`-list of a signed map, by the documented rule. */
const formatList = (m: Readonly<Record<string, string | undefined>>): { readonly list: string; readonly text: string } => {
  const entries: Array<readonly [string, string]> = []
  for (const k of Object.keys(m)) {
    const v = m[k]
    entries.push([encode(k).toLowerCase(), encode(v ?? "")])
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return { list: entries.map((e) => e[0]).join(";"), text: entries.map((e) => `${e[0]}=${e[1]}`).join("&") }
}

const hmacHex = (key: string, data: string): string => createHmac("sha1", key).update(data, "utf8").digest("hex")
const sha1Hex = (data: string): string => createHash("sha1").update(data, "utf8").digest("hex")

/** Every intermediate value of a signature (the documentation's steps), for tests and debugging. */
export interface SignatureSteps {
  readonly keyTime: string
  readonly signKey: string
  readonly httpString: string
  readonly stringToSign: string
  readonly headerList: string
  readonly urlParamList: string
  readonly signature: string
  readonly authorization: string
}

/** Compute a signature step by step. */
export const steps = (input: SignInput): SignatureSteps => {
  const keyTime = `${input.startSeconds};${input.endSeconds}`
  const signKey = hmacHex(input.secretKey, keyTime)
  const params = formatList(input.query ?? {})
  const headers = formatList(input.headers ?? {})
  const httpString = `${input.method.toLowerCase()}\n/${input.key}\n${params.text}\n${headers.text}\n`
  const stringToSign = `sha1\n${keyTime}\n${sha1Hex(httpString)}\n`
  const signature = hmacHex(signKey, stringToSign)
  const authorization =
    `q-sign-algorithm=sha1&q-ak=${input.secretId}&q-sign-time=${keyTime}&q-key-time=${keyTime}` +
    `&q-header-list=${headers.list}&q-url-param-list=${params.list}&q-signature=${signature}`
  return { keyTime, signKey, httpString, stringToSign, headerList: headers.list, urlParamList: params.list, signature, authorization }
}

/**
 * The `Authorization` header value of a request.
 *
 * @example
 * ```ts
 * Signature.authorization({ secretId, secretKey, method: "GET", key: "photos/猫.jpg",
 *   headers: { host: "examplebucket-1250000000.cos.ap-beijing.myqcloud.com" },
 *   startSeconds: now, endSeconds: now + 900 })
 * ```
 */
export const authorization = (input: SignInput): string => steps(input).authorization

/** What a presigned URL is for. */
export interface PresignInput {
  readonly secretId: string
  readonly secretKey: string
  /** Temporary-credential token, sent as `x-cos-security-token` in the URL (unsigned, as COS expects). */
  readonly token?: string | undefined
  /** `GET` (default) or `PUT` (or any other method the URL will be used with). */
  readonly method?: string | undefined
  /** `https://host` (no trailing slash, no path): the origin the URL points at. */
  readonly origin: string
  /** A prefix of the path before the key (path-style: `/<bucket>`); default none. */
  readonly pathPrefix?: string | undefined
  readonly key: string
  /** Query parameters, signed and appended (e.g. `response-content-disposition`). */
  readonly query?: Readonly<Record<string, string>> | undefined
  /**
   * Headers the user of the URL must send exactly (signed), besides `host`, which is always signed.
   * E.g. `{ "content-type": "image/png" }` for a PUT URL.
   */
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly startSeconds: number
  readonly endSeconds: number
}

/**
 * A presigned URL: `<origin>/<encoded key>?<authorization>[&x-cos-security-token=...][&<query>]`.
 * The authorization's `;` stay raw (valid in a query, and what COS and the official SDKs use);
 * the token and the query values are percent-encoded.
 */
export const presignedUrl = (input: PresignInput): string => {
  const host = new URL(input.origin).host
  const headers: Record<string, string> = { ...(input.headers ?? {}) }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "host")) headers.host = host
  const signPath = input.pathPrefix ? `${input.pathPrefix.replace(/^\//, "")}/${input.key}` : input.key
  const auth = authorization({
    secretId: input.secretId,
    secretKey: input.secretKey,
    method: input.method ?? "GET",
    key: signPath,
    query: input.query,
    headers,
    startSeconds: input.startSeconds,
    endSeconds: input.endSeconds
  })
  let url = `${input.origin}${input.pathPrefix ?? ""}/${encodeKey(input.key)}?${auth}`
  if (input.token !== undefined && input.token !== "") url += `&x-cos-security-token=${encode(input.token)}`
  const q = input.query ?? {}
  const keys = Object.keys(q).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
  for (const k of keys) url += `&${encode(k)}=${encode(q[k])}`
  return url
}

/** Parse an `Authorization` value (header or URL form) into its fields; `undefined` if malformed. */
export const parseAuthorization = (
  value: string
):
  | {
      readonly algorithm: string
      readonly secretId: string
      readonly signTime: string
      readonly keyTime: string
      readonly headerList: ReadonlyArray<string>
      readonly urlParamList: ReadonlyArray<string>
      readonly signature: string
    }
  | undefined => {
  const fields = new Map<string, string>()
  for (const part of value.split("&")) {
    const i = part.indexOf("=")
    if (i > 0) fields.set(part.slice(0, i), part.slice(i + 1))
  }
  const get = (k: string) => fields.get(k)
  const algorithm = get("q-sign-algorithm")
  const secretId = get("q-ak")
  const signTime = get("q-sign-time")
  const keyTime = get("q-key-time")
  const headers = get("q-header-list")
  const params = get("q-url-param-list")
  const signature = get("q-signature")
  if (!algorithm || !secretId || !signTime || !keyTime || headers === undefined || params === undefined || !signature) return undefined
  const split = (s: string) => (s === "" ? [] : s.split(";"))
  return { algorithm, secretId, signTime, keyTime, headerList: split(headers), urlParamList: split(params), signature }
}

// -------------------------------------------------------------------------------------------------
// v4 (the retired JSON API)

/** What a v4 signature is for. */
export interface V4Input {
  readonly appId: string
  /** The bucket's short name (without `-appid`). */
  readonly bucket: string
  readonly secretId: string
  readonly secretKey: string
  /** Signing time, unix seconds. */
  readonly nowSeconds: number
  /** A random unsigned integer of at most 10 digits. */
  readonly random: number
}

/** v4's path quoting: UTF-8 percent-encoding with `/`, `~` and unreserved characters kept. */
const v4Quote = (path: string): string => encodeKey(path)

const v4Sign = (i: V4Input, expired: number, fileId: string): string => {
  const plain = `a=${i.appId}&k=${i.secretId}&e=${expired}&t=${i.nowSeconds}&r=${i.random}&f=${fileId}&b=${i.bucket}`
  const mac = createHmac("sha1", i.secretKey).update(plain, "utf8").digest()
  return Buffer.concat([mac, Buffer.from(plain, "utf8")]).toString("base64")
}

const v4FileId = (i: V4Input, path: string): string => `/${i.appId}/${i.bucket}${v4Quote(path.startsWith("/") ? path : "/" + path)}`

/**
 * v4 multi-use signature (upload, stat, create folder, list): valid until `expiresSeconds`
 * (unix seconds), bound to the file id `/<appid>/<bucket><path>`; with `path: ""` it is bound to no
 * file (`f=`, the older documentation's form, valid for the whole bucket).
 */
export const v4MultiUse = (i: V4Input & { readonly path: string; readonly expiresSeconds: number }): string =>
  v4Sign(i, i.expiresSeconds, i.path === "" ? "" : v4FileId(i, i.path))

/** v4 single-use signature (delete, update, move): `e=0`, bound to the file id. */
export const v4SingleUse = (i: V4Input & { readonly path: string }): string => v4Sign(i, 0, v4FileId(i, i.path))

/**
 * v4 download signature: bound to the quoted path alone (no `/<appid>/<bucket>` prefix), valid for
 * `durationSeconds` from `nowSeconds`. Put it in a URL with {@link encode} (a raw `+` would be read
 * as a space).
 */
export const v4Download = (i: V4Input & { readonly path: string; readonly durationSeconds: number }): string =>
  v4Sign(i, i.nowSeconds + i.durationSeconds, v4Quote(i.path.startsWith("/") ? i.path : "/" + i.path))

/** Decode a v4 signature into its plain text fields and MAC (for checking systems). */
export const v4Decode = (sign: string): { readonly mac: Uint8Array; readonly fields: ReadonlyMap<string, string> } | undefined => {
  const raw = Buffer.from(sign, "base64")
  if (raw.length <= 20) return undefined
  const fields = new Map<string, string>()
  for (const part of raw.subarray(20).toString("utf8").split("&")) {
    const i = part.indexOf("=")
    if (i > 0) fields.set(part.slice(0, i), part.slice(i + 1))
  }
  return { mac: new Uint8Array(raw.subarray(0, 20)), fields }
}

/** Check a v4 signature against a secret key (the MAC over the plain text it carries). */
export const v4Verify = (sign: string, secretKey: string): boolean => {
  const raw = Buffer.from(sign, "base64")
  if (raw.length <= 20) return false
  const mac = createHmac("sha1", secretKey).update(raw.subarray(20)).digest()
  return mac.equals(raw.subarray(0, 20))
}
