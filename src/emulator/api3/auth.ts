/**
 * API 3.0 authentication from the raw request: TC3-HMAC-SHA256 (exact Host, raw query, body
 * bytes, Content-Type; the Host without its port too, as the official SDKs sign it), v1
 * HmacSHA256 / HmacSHA1, the timestamp window, the SecretId, and the token of temporary keys.
 *
 * @internal
 */
import * as crypto from "node:crypto"
import {
  EMPTY_PAYLOAD_HASH,
  makeKeyCache,
  tc3CanonicalRequest,
  tc3Signature,
  UNSIGNED_PAYLOAD_HASH,
  sha256Hex,
  utcDate,
  v1Signature,
  v1StringToSign
} from "../../Signer.js"
import { type Answer, apiError, type Exchange, header, type ServerConfig } from "./exchange.js"

/** `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=..., Signature=...`. */
export const TC3_AUTH =
  /^TC3-HMAC-SHA256\s+Credential=([^/,\s]+)\/([^/,\s]+)\/([^/,\s]+)\/tc3_request\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$/
const INTEGER = /^\d{1,12}$/


const hexEqual = (a: string, b: string): boolean => a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b))

/** The TC3 `Authorization` header of a request, parsed once. */
export const tc3Auth = (x: Exchange, authorization: string): RegExpExecArray | null => {
  if (x.auth === undefined) x.auth = TC3_AUTH.exec(authorization)
  return x.auth
}

export const makeAuth = (cfg: ServerConfig) => {
  const keyCache = makeKeyCache(1024)
  // the UTC date of a timestamp, remembered for the current day (a Date per request otherwise)
  let dayStart = 0
  let dayEnd = -1
  let dayText = ""
  const dateOf = (ts: number): string => {
    if (ts >= dayStart && ts < dayEnd) return dayText
    dayText = utcDate(ts)
    dayStart = Math.floor(ts / 86400) * 86400
    dayEnd = dayStart + 86400
    return dayText
  }

  /** Check timestamp, SecretId and (for temporary keys) expiry; the secret key or a failure. */
  const credential = (x: Exchange, secretId: string, timestamp: string | undefined): { key: string; token: string | undefined } | Answer => {
    if (timestamp === undefined || timestamp === "") return apiError("MissingParameter", "The request is missing a required parameter `Timestamp` (X-TC-Timestamp).", x.requestId)
    if (!INTEGER.test(timestamp)) return apiError("InvalidParameter", `The parameter \`Timestamp\` must be a Unix time in seconds; got ${JSON.stringify(timestamp)}.`, x.requestId)
    const now = cfg.now()
    const skew = Number(timestamp) - Math.floor(now / 1000)
    if (Math.abs(skew) > cfg.maxSkewSeconds) {
      return apiError(
        "AuthFailure.SignatureExpire",
        `The request timestamp ${timestamp} is ${Math.abs(skew)} s ${skew < 0 ? "behind" : "ahead of"} the server time ${Math.floor(now / 1000)}; it must be within ${cfg.maxSkewSeconds} s. Check the client clock.`,
        x.requestId
      )
    }
    const key = cfg.keys.get(secretId)
    if (key !== undefined) return { key, token: undefined }
    const temp = cfg.state.temporary(secretId)
    if (temp === undefined) {
      return apiError("AuthFailure.SecretIdNotFound", `The SecretId \`${secretId}\` is not known to this emulator; use one of its configured keys or a temporary key it issued.`, x.requestId)
    }
    if (temp.expiresAt <= now) {
      return apiError("AuthFailure.TokenFailure", `The temporary credential \`${secretId}\` expired at ${new Date(temp.expiresAt).toISOString()}; get a new one.`, x.requestId)
    }
    return { key: temp.secretKey, token: temp.token }
  }

  const tokenCheck = (x: Exchange, expected: string | undefined, given: string | undefined): Answer | undefined => {
    if (expected === undefined) return undefined
    if (given === undefined || given === "") return apiError("AuthFailure.TokenFailure", "A temporary SecretId was used without its token (X-TC-Token / Token).", x.requestId)
    if (given !== expected) return apiError("AuthFailure.TokenFailure", "The token does not belong to this temporary SecretId.", x.requestId)
    return undefined
  }

  const verifyTc3 = (x: Exchange, authorization: string | undefined): Answer | undefined => {
    const req = x.req
    if (authorization === undefined || authorization === "") {
      return apiError("AuthFailure.InvalidAuthorization", "The request has no Authorization header; sign it with TC3-HMAC-SHA256.", x.requestId)
    }
    if (authorization === "SKIP") {
      x.signatureMethod = "SKIP"
      if (x.service !== undefined && x.action !== undefined && cfg.unsignedActions.has(`${x.service}.${x.action}`)) return undefined
      return apiError("AuthFailure.InvalidAuthorization", `\`Authorization: SKIP\` is accepted only for unsigned actions (${[...cfg.unsignedActions].join(", ")}); sign this request.`, x.requestId)
    }
    x.signatureMethod = "TC3-HMAC-SHA256"
    const m = tc3Auth(x, authorization)
    if (m === null) {
      return apiError(
        "AuthFailure.InvalidAuthorization",
        "The Authorization header is malformed; expected `TC3-HMAC-SHA256 Credential=<SecretId>/<YYYY-MM-DD>/<service>/tc3_request, SignedHeaders=content-type;host, Signature=<64 hex>`.",
        x.requestId
      )
    }
    const [, secretId, date, scopeService, signedHeaders, signature] = m
    x.secretId = secretId
    const timestamp = header(req, "x-tc-timestamp")
    const cred = credential(x, secretId, timestamp)
    if ("status" in cred) return cred
    if (scopeService !== x.service) {
      return apiError("AuthFailure.InvalidAuthorization", `The credential scope names the service \`${scopeService}\`, but this request is for \`${x.service}\`.`, x.requestId)
    }
    const ts = Number(timestamp)
    const tsDate = dateOf(ts)
    if (date !== tsDate) {
      return apiError("AuthFailure.SignatureFailure", `The credential scope date ${date} is not the UTC date of the timestamp ${ts} (${tsDate}).`, x.requestId)
    }
    const lower = signedHeaders.toLowerCase()
    const simple = lower === "content-type;host"
    const names = simple ? undefined : lower.split(";")
    if (names !== undefined && (!names.includes("content-type") || !names.includes("host"))) {
      return apiError("AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host.", x.requestId)
    }
    const unsigned = header(req, "x-tc-content-sha256") === "UNSIGNED-PAYLOAD"
    const payloadHash = unsigned ? UNSIGNED_PAYLOAD_HASH : x.body.length === 0 ? EMPTY_PAYLOAD_HASH : sha256Hex(x.body)
    const canonicalFor = (host: string): string => {
      if (names === undefined) {
        return tc3CanonicalRequest({
          method: req.method ?? "",
          path: x.path,
          canonicalQuery: x.rawQuery,
          contentType: x.contentType.trim().toLowerCase(),
          host,
          payloadHash
        })
      }
      // the documented general form: any signed headers, `name:value` lower-cased and trimmed
      let ch = ""
      for (const n of names) ch += `${n}:${n === "host" ? host : (header(req, n) ?? "").trim().toLowerCase()}\n`
      return `${(req.method ?? "").toUpperCase()}\n${x.path}\n${x.rawQuery}\n${ch}\n${names.join(";")}\n${payloadHash}`
    }
    const key = keyCache.get(secretId, cred.key, date, scopeService)
    const given = signature.toLowerCase()
    const scope = `TC3-HMAC-SHA256\n${Math.floor(ts)}\n${tsDate}/${scopeService}/tc3_request\n`
    const sentHost = x.host.trim().toLowerCase()
    let canonical = canonicalFor(sentHost)
    let matches = hexEqual(tc3Signature(key, scope + sha256Hex(canonical)), given)
    // The official SDKs sign the endpoint's host without its port while sending the port in Host
    // (`endpoint: "cvm.tencentcloudapi.com:4599"`). The cloud never sees a port, so accepting the
    // sent Host with its port removed lets existing official-SDK code point at the emulator.
    if (!matches) {
      const portless = sentHost.replace(/:\d+$/, "")
      if (portless !== sentHost) {
        const alt = canonicalFor(portless)
        if (hexEqual(tc3Signature(key, scope + sha256Hex(alt)), given)) {
          matches = true
          canonical = alt
        }
      }
    }
    if (!matches) {
      return apiError(
        "AuthFailure.SignatureFailure",
        `The provided credentials could not be validated: the signature does not match. The emulator signed this canonical request: ${JSON.stringify(canonical)}`,
        x.requestId
      )
    }
    return tokenCheck(x, cred.token, header(req, "x-tc-token"))
  }

  const verifyV1 = (x: Exchange, pairs: ReadonlyArray<readonly [string, string]>, common: Map<string, string>): Answer | undefined => {
    const method = common.get("SignatureMethod") ?? "HmacSHA1"
    x.signatureMethod = method
    if (method !== "HmacSHA1" && method !== "HmacSHA256") {
      return apiError("InvalidParameterValue", `The SignatureMethod \`${method}\` is not supported; use HmacSHA256, HmacSHA1 or TC3-HMAC-SHA256.`, x.requestId)
    }
    for (const k of ["SecretId", "Signature", "Nonce"]) {
      if (!common.has(k) || common.get(k) === "") return apiError("MissingParameter", `The request is missing a required parameter \`${k}\`.`, x.requestId)
    }
    if (!INTEGER.test(common.get("Nonce")!)) return apiError("InvalidParameter", "The parameter `Nonce` must be a positive integer.", x.requestId)
    const secretId = common.get("SecretId")!
    x.secretId = secretId
    const cred = credential(x, secretId, common.get("Timestamp"))
    if ("status" in cred) return cred
    const signed = pairs.filter((p) => p[0] !== "Signature")
    const stringToSign = v1StringToSign(x.req.method ?? "", x.host, x.path, signed)
    const expected = v1Signature(method, cred.key, stringToSign)
    const given = common.get("Signature")!
    if (!hexEqual(expected, given)) {
      return apiError(
        "AuthFailure.SignatureFailure",
        `The provided credentials could not be validated: the signature does not match. The emulator signed this string: ${JSON.stringify(stringToSign.replace(/([?&](Token)=)[^&]*/g, "$1<redacted>"))}`,
        x.requestId
      )
    }
    return tokenCheck(x, cred.token, common.get("Token"))
  }

  return { verifyTc3, verifyV1 }
}
