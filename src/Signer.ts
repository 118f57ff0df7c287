/**
 * Request signing for Tencent Cloud API 3.0: TC3-HMAC-SHA256 (the default) and the legacy v1
 * signatures HmacSHA256 and HmacSHA1.
 *
 * The building blocks are pure, exported functions so that anyone can check them against the
 * official documentation: {@link tc3CanonicalRequest}, {@link tc3StringToSign},
 * {@link tc3SigningKey}, {@link tc3Signature}, {@link v1Flatten}, {@link v1StringToSign},
 * {@link v1Signature}. {@link signRequest} lays a whole request out (headers, query, body) for one
 * algorithm, credential and instant; the `Signer` service wraps it with a derived-key cache.
 *
 * Rules we follow (and where the official SDKs differ, see docs/signing.md):
 * - TC3 signs only `content-type;host`; the Host is the exact header sent, port included.
 * - The service in the credential scope is the spec's `serviceShortName`, never parsed from the
 *   endpoint, so custom endpoints and IP addresses sign correctly.
 * - The query string signed is the exact query string sent; the payload hash covers the exact
 *   body bytes sent.
 * - The credential-scope date is the UTC date of the (floored) timestamp.
 * - Parameters that cannot be sent (cycles, `NaN`/`Infinity`, lone surrogates, a throwing
 *   `toJSON`, ...) are refused with their path by the checked variants ({@link signChecked},
 *   `v1FlattenChecked`); see `Json.stringifyChecked` for the rules, the same in every layout.
 *
 * Uses `node:crypto` (also available on Bun, Deno and edge runtimes with Node compatibility).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { createHmac } from "node:crypto"
import type { Credential } from "./Credentials.js"
import * as Json from "./Json.js"
import { checkPart, scalarString, v1FlattenChecked } from "./internal/checkedParams.js"
import {
  callerHeaders,
  EMPTY_PAYLOAD_HASH,
  formEncode,
  hmacSha256,
  sha256Hex,
  type SignatureMethod,
  type SignedRequest,
  UNSIGNED_PAYLOAD_HASH,
  type UnsignedRequest,
  utcDate
} from "./internal/signing.js"
import { signV1, signV1Checked, v1Flatten } from "./internal/signV1.js"

export { v1FlattenChecked }
export {
  EMPTY_PAYLOAD_HASH,
  formEncode,
  hmacSha256,
  type MultipartPart,
  type RequestBody,
  rfc3986,
  sha256Hex,
  type SignatureMethod,
  type SignedRequest,
  UNSIGNED_PAYLOAD_HASH,
  type UnsignedRequest,
  utcDate
} from "./internal/signing.js"
export { signV1, signV1Checked, v1Flatten, v1Signature, v1StringToSign } from "./internal/signV1.js"

// ---------------------------------------------------------------------------------------------
// TC3-HMAC-SHA256
// ---------------------------------------------------------------------------------------------

/** Inputs of the TC3 canonical request. */
export interface Tc3CanonicalInput {
  readonly method: string
  /** Always `/` for API 3.0. */
  readonly path?: string
  /** The query string exactly as sent, without `?`; empty for POST. */
  readonly canonicalQuery: string
  /** The `Content-Type` header value exactly as sent. */
  readonly contentType: string
  /** The `Host` header value exactly as sent (port included when not default). */
  readonly host: string
  /** Lower-case hex SHA-256 of the exact body bytes (see {@link EMPTY_PAYLOAD_HASH}). */
  readonly payloadHash: string
}

/** The TC3 canonical request (step 1 of the official documentation). */
export const tc3CanonicalRequest = (i: Tc3CanonicalInput): string =>
  `${i.method.toUpperCase()}\n${i.path ?? "/"}\n${i.canonicalQuery}\ncontent-type:${i.contentType}\nhost:${i.host}\n\ncontent-type;host\n${i.payloadHash}`

/** The TC3 string to sign (step 2). `service` is the spec's `serviceShortName`. */
export const tc3StringToSign = (timestampSeconds: number, service: string, canonicalRequest: string): string =>
  `TC3-HMAC-SHA256\n${Math.floor(timestampSeconds)}\n${utcDate(timestampSeconds)}/${service}/tc3_request\n${sha256Hex(canonicalRequest)}`

/** The TC3 derived signing key (step 3): HMAC chain over date, service and `tc3_request`. */
export const tc3SigningKey = (secretKey: string, date: string, service: string): Buffer =>
  hmacSha256(hmacSha256(hmacSha256("TC3" + secretKey, date), service), "tc3_request")

/** The hex TC3 signature of a string to sign under a derived key. */
export const tc3Signature = (signingKey: Uint8Array, stringToSign: string): string =>
  createHmac("sha256", signingKey).update(stringToSign).digest("hex")

/** The `Authorization` header value for TC3. */
export const tc3Authorization = (secretId: string, date: string, service: string, signature: string): string =>
  `TC3-HMAC-SHA256 Credential=${secretId}/${date}/${service}/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`

/** Optional cache of TC3 derived keys, keyed by secret id, date and service. */
export interface KeyCache {
  readonly get: (secretId: string, secretKey: string, date: string, service: string) => Uint8Array
}

/** A small cache of TC3 derived keys (one per secret, day and service); bounded. */
export const makeKeyCache = (max = 256): KeyCache => {
  const map = new Map<string, { readonly secretKey: string; readonly key: Uint8Array }>()
  // the last key asked for: a client signs for one secret and a few services all day
  let last: { readonly secretId: string; readonly secretKey: string; readonly date: string; readonly service: string; readonly key: Uint8Array } | undefined
  return {
    get(secretId, secretKey, date, service) {
      if (last !== undefined && last.secretId === secretId && last.date === date && last.service === service && last.secretKey === secretKey) return last.key
      const key = lookup(secretId, secretKey, date, service)
      last = { secretId, secretKey, date, service, key }
      return key
    }
  }
  function lookup(secretId: string, secretKey: string, date: string, service: string): Uint8Array {
    const k = `${secretId}\n${date}\n${service}`
    const hit = map.get(k)
    if (hit !== undefined && hit.secretKey === secretKey) return hit.key
    const key = tc3SigningKey(secretKey, date, service)
    if (hit === undefined && map.size >= max) map.delete(map.keys().next().value as string)
    map.set(k, { secretKey, key })
    return key
  }
}

const TC3_OWNED: ReadonlySet<string> = /*#__PURE__*/ new Set([
  "host",
  "content-type",
  "authorization",
  "x-tc-action",
  "x-tc-version",
  "x-tc-timestamp",
  "x-tc-region",
  "x-tc-language",
  "x-tc-token",
  "x-tc-content-sha256"
])

const uncachedKeys: KeyCache = { get: (_id, secretKey, date, service) => tc3SigningKey(secretKey, date, service) }

const textEncoder = /*#__PURE__*/ new TextEncoder()

const multipartBody = (params: Readonly<Record<string, unknown>>, boundary: string): Uint8Array => {
  const chunks: Array<Uint8Array> = []
  for (const name of Object.keys(params)) {
    const v = params[name]
    if (v === undefined || v === null) continue
    if (v instanceof Uint8Array) {
      chunks.push(textEncoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`))
      chunks.push(v)
      chunks.push(textEncoder.encode("\r\n"))
    } else if (typeof v === "object") {
      chunks.push(textEncoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\nContent-Type: application/json\r\n\r\n${Json.stringify(v)}\r\n`))
    } else {
      chunks.push(textEncoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${scalarString(v) ?? ""}\r\n`))
    }
  }
  chunks.push(textEncoder.encode(`--${boundary}--\r\n`))
  let len = 0
  for (const c of chunks) len += c.length
  const out = new Uint8Array(len)
  let o = 0
  for (const c of chunks) {
    out.set(c, o)
    o += c.length
  }
  return out
}

const defaultBoundary = (timestampSeconds: number, action: string): string =>
  "----effect-tencentcloud-" + sha256Hex(`${timestampSeconds}:${action}`).slice(0, 24)

/**
 * Lay out and sign a request with TC3-HMAC-SHA256. Pure: the same inputs give the same output.
 * The caller supplies the instant (seconds); X-TC-* headers go beside the signed ones.
 */
export const signTc3 = (
  req: UnsignedRequest,
  credential: Credential | undefined,
  timestampSeconds: number,
  keys: KeyCache = uncachedKeys
): SignedRequest => tc3(req, credential, timestampSeconds, keys, false) as SignedRequest

/**
 * {@link signTc3}, or the parameter that cannot be sent (with its path): the checked layouts
 * `Json.stringifyChecked` (JSON body and multipart JSON parts) and `v1FlattenChecked`
 * (GET query). Never throws.
 */
export const signTc3Checked = (
  req: UnsignedRequest,
  credential: Credential | undefined,
  timestampSeconds: number,
  keys: KeyCache = uncachedKeys
): Either.Either<SignedRequest, Json.Problem> => {
  const r = tc3(req, credential, timestampSeconds, keys, true)
  return "problem" in r ? Either.left(r) : Either.right(r)
}

const tc3 = (
  req: UnsignedRequest,
  credential: Credential | undefined,
  timestampSeconds: number,
  keys: KeyCache,
  checked: boolean
): SignedRequest | Json.Problem => {
  const ts = Math.floor(timestampSeconds)
  const path = req.path ?? "/"
  const body = req.body ?? { _tag: "Json" }
  let contentType: string
  let payload: Uint8Array | string | undefined
  let query = ""
  if (req.method === "GET") {
    contentType = "application/x-www-form-urlencoded"
    let pairs: Array<[string, string]>
    if (checked) {
      const r = v1FlattenChecked(req.params)
      if (Either.isLeft(r)) return r.left
      pairs = r.right
    } else pairs = v1Flatten(req.params)
    query = formEncode(pairs)
    payload = undefined
  } else if (body._tag === "Multipart") {
    if (checked) {
      for (const name of Object.keys(req.params)) {
        const bad = checkPart(name, req.params[name])
        if (bad !== undefined) return bad
      }
    }
    const boundary = body.boundary ?? defaultBoundary(ts, req.action)
    contentType = `multipart/form-data; boundary=${boundary}`
    payload = multipartBody(req.params, boundary)
  } else if (body._tag === "OctetStream") {
    contentType = "application/octet-stream"
    payload = body.bytes
  } else {
    contentType = "application/json"
    if (checked) {
      const r = Json.stringifyChecked(req.params)
      if (Either.isLeft(r)) return r.left
      payload = r.right
    } else payload = Json.stringify(req.params)
  }
  const headers = callerHeaders(req.headers, TC3_OWNED)
  headers["Host"] = req.host
  headers["Content-Type"] = contentType
  headers["X-TC-Action"] = req.action
  headers["X-TC-Version"] = req.version
  headers["X-TC-Timestamp"] = String(ts)
  if (req.region) headers["X-TC-Region"] = req.region
  if (req.language) headers["X-TC-Language"] = req.language
  if (credential?.token !== undefined && !req.skipSign) headers["X-TC-Token"] = Redacted.value(credential.token)
  if (req.skipSign || credential === undefined) {
    headers["Authorization"] = "SKIP"
  } else {
    let payloadHash: string
    if (req.unsignedPayload) {
      headers["X-TC-Content-SHA256"] = "UNSIGNED-PAYLOAD"
      payloadHash = UNSIGNED_PAYLOAD_HASH
    } else {
      payloadHash = payload === undefined ? EMPTY_PAYLOAD_HASH : sha256Hex(payload)
    }
    const canonical = tc3CanonicalRequest({ method: req.method, path, canonicalQuery: query, contentType, host: req.host, payloadHash })
    const date = utcDate(ts)
    const sts = tc3StringToSign(ts, req.service, canonical)
    const key = keys.get(credential.secretId, Redacted.value(credential.secretKey), date, req.service)
    headers["Authorization"] = tc3Authorization(credential.secretId, date, req.service, tc3Signature(key, sts))
  }
  return {
    method: req.method,
    url: `${req.scheme}://${req.host}${path}${query === "" ? "" : "?" + query}`,
    headers,
    body: payload
  }
}

// ---------------------------------------------------------------------------------------------
// the service
// ---------------------------------------------------------------------------------------------

/** The Signer service: sign a request for a credential at an instant. */
export interface SignerService {
  readonly method: SignatureMethod
  /**
   * Sign `req` with `credential` at `timestampSeconds`; `nonce` is used by v1 only.
   * A `skipSign` request is laid out as TC3 with `Authorization: SKIP`, whatever the method.
   */
  readonly sign: (req: UnsignedRequest, credential: Credential | undefined, timestampSeconds: number, nonce: number) => SignedRequest
  /**
   * As `sign`, but a parameter that cannot be sent (a cycle, `NaN`, a lone surrogate, a throwing
   * `toJSON`, ...) is returned with its path instead of being sent altered or throwing.
   */
  readonly signChecked: (
    req: UnsignedRequest,
    credential: Credential | undefined,
    timestampSeconds: number,
    nonce: number
  ) => Either.Either<SignedRequest, Json.Problem>
}

/** The `Signer` service tag. */
export class Signer extends /*#__PURE__*/ Context.Tag("effect-tencentcloud/Signer")<Signer, SignerService>() {}

/** Build a signer for one algorithm; TC3 keeps a derived-key cache. */
export const make = (method: SignatureMethod = "TC3-HMAC-SHA256"): SignerService => {
  const keys = makeKeyCache()
  if (method === "TC3-HMAC-SHA256") {
    return {
      method,
      sign: (req, cred, ts) => signTc3(req, cred, ts, keys),
      signChecked: (req, cred, ts) => signTc3Checked(req, cred, ts, keys)
    }
  }
  return {
    method,
    sign: (req, cred, ts, nonce) =>
      req.skipSign || cred === undefined ? signTc3(req, undefined, ts, keys) : signV1(method, req, cred, ts, nonce),
    signChecked: (req, cred, ts, nonce) =>
      req.skipSign || cred === undefined ? signTc3Checked(req, undefined, ts, keys) : signV1Checked(method, req, cred, ts, nonce)
  }
}

/** TC3-HMAC-SHA256, the default. */
export const layerTc3: Layer.Layer<Signer> = /*#__PURE__*/ Layer.sync(Signer, () => make("TC3-HMAC-SHA256"))

/** Signer for a chosen algorithm. */
export const layer = (method: SignatureMethod): Layer.Layer<Signer> => Layer.sync(Signer, () => make(method))
