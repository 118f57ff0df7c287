/**
 * The emulator's own check of Huawei Cloud APIG signatures (`SDK-HMAC-SHA256` and the derived
 * `V11-HMAC-SHA256`), written from the APIG signing guide, independently of the client's signer:
 * it rebuilds the canonical request from the raw bytes received (request target, headers as sent,
 * body bytes) and compares signatures in constant time.
 *
 * @internal
 */
import type * as http from "node:http"
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto"

/** Why a request was refused (message for `error_msg`). */
export interface Refusal {
  readonly refused: string
}

/** A parsed `Authorization` header. */
export interface ParsedAuthorization {
  readonly algorithm: "SDK-HMAC-SHA256" | "V11-HMAC-SHA256"
  readonly accessKey: string
  /** `yyyymmdd/region/service` for the derived algorithm. */
  readonly info: string | undefined
  readonly signedHeaders: ReadonlyArray<string>
  readonly signature: string
}

const BASIC = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})$/
const DERIVED = /^V11-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8}\/[^/,\s]+\/[^/,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})$/

/** Parse the `Authorization` header, or say what is wrong with it. */
export const parseAuthorization = (value: string | undefined): ParsedAuthorization | Refusal => {
  if (value === undefined || value.trim() === "") return { refused: "The request has no Authorization header; sign it with SDK-HMAC-SHA256 (AK/SK)." }
  const v = value.trim()
  const b = BASIC.exec(v)
  if (b !== null) return { algorithm: "SDK-HMAC-SHA256", accessKey: b[1], info: undefined, signedHeaders: b[2].split(";"), signature: b[3].toLowerCase() }
  const d = DERIVED.exec(v)
  if (d !== null) return { algorithm: "V11-HMAC-SHA256", accessKey: d[1], info: d[2], signedHeaders: d[3].split(";"), signature: d[4].toLowerCase() }
  return { refused: "The Authorization header is malformed; expected `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<64 hex>`." }
}

// RFC 3986 unreserved characters stay; every other UTF-8 byte becomes %XX (upper case)
const escapeComponent = (s: string): string => {
  const bytes = new TextEncoder().encode(s)
  const parts: Array<string> = []
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte)
    if (/[A-Za-z0-9\-_.~]/.test(ch)) parts.push(ch)
    else parts.push("%" + byte.toString(16).toUpperCase().padStart(2, "0"))
  }
  return parts.join("")
}

const unescapeLoose = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The canonical URI of a raw request path: decoded, each segment escaped once, ending with `/`. */
export const canonicalPath = (rawPath: string): string => {
  const decoded = rawPath.split("/").map((seg) => escapeComponent(unescapeLoose(seg)))
  const joined = decoded.join("/") || "/"
  return joined[joined.length - 1] === "/" ? joined : `${joined}/`
}

/** The canonical query of a raw query string: pairs decoded, sorted by key then value, escaped. */
export const canonicalQuery = (rawQuery: string): string => {
  if (rawQuery === "") return ""
  const pairs = rawQuery.split("&").filter((p) => p !== "").map((p) => {
    const eq = p.indexOf("=")
    const k = unescapeLoose((eq < 0 ? p : p.slice(0, eq)).replace(/\+/g, "%20"))
    const v = unescapeLoose((eq < 0 ? "" : p.slice(eq + 1)).replace(/\+/g, "%20"))
    return [k, v] as const
  })
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1))
  return pairs.map(([k, v]) => `${escapeComponent(k)}=${escapeComponent(v)}`).join("&")
}

const headerText = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name]
  return v === undefined ? undefined : Array.isArray(v) ? v.join(",") : v
}

/** Check a request's signature from what was received; `secretKey` of the AK it names. */
export const checkSignature = (
  req: http.IncomingMessage,
  rawPath: string,
  rawQuery: string,
  body: Buffer,
  auth: ParsedAuthorization,
  secretKey: string
): Refusal | undefined => {
  const names = auth.signedHeaders.map((n) => n.toLowerCase())
  if (!names.includes("host")) return { refused: "SignedHeaders must include host." }
  if (!names.includes("x-sdk-date")) return { refused: "SignedHeaders must include x-sdk-date." }
  for (const must of ["x-security-token", "x-project-id", "x-domain-id"]) {
    if (req.headers[must] !== undefined && !names.includes(must)) return { refused: `The header ${must} is sent but not signed.` }
  }
  let headerBlock = ""
  for (const n of [...names].sort()) {
    const v = headerText(req, n)
    if (v === undefined) return { refused: `The signed header ${n} is missing from the request.` }
    headerBlock += `${n}:${v.trim()}\n`
  }
  const declared = headerText(req, "x-sdk-content-sha256")
  const bodyHash = declared !== undefined && body.length > 0 ? declared.trim() : createHash("sha256").update(body).digest("hex")
  const canonical = [
    (req.method ?? "GET").toUpperCase(),
    canonicalPath(rawPath),
    canonicalQuery(rawQuery),
    headerBlock,
    [...names].sort().join(";"),
    bodyHash
  ].join("\n")
  const digest = createHash("sha256").update(canonical, "utf8").digest("hex")
  const date = headerText(req, "x-sdk-date") ?? ""
  let expected: string
  if (auth.algorithm === "SDK-HMAC-SHA256") {
    expected = createHmac("sha256", secretKey).update(`SDK-HMAC-SHA256\n${date}\n${digest}`).digest("hex")
  } else {
    const info = auth.info ?? ""
    if (info.slice(0, 8) !== date.slice(0, 8)) return { refused: "The credential scope date is not the date of X-Sdk-Date." }
    const okm = Buffer.from(hkdfSync("sha256", secretKey, auth.accessKey, info, 32)).toString("hex")
    expected = createHmac("sha256", okm).update(`V11-HMAC-SHA256\n${date}\n${info}\n${digest}`).digest("hex")
  }
  const a = Buffer.from(expected, "hex")
  const b = Buffer.from(auth.signature, "hex")
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return { refused: "verify aksk signature fail. Check the SK and that the request was not changed after signing." }
  }
  return undefined
}

/** The instant of an `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`), or undefined. */
export const sdkDate = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value.trim())
  if (m === null) return undefined
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  return Number.isFinite(t) ? t : undefined
}
