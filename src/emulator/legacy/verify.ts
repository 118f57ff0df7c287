/**
 * The emulator's own reading and checking of API 2.0 requests, written apart from the client's
 * signer (`src/Signer.ts`, `src/legacy`) so that a shared mistake cannot pass unnoticed: form
 * decoding of the raw query or body, and the v1 string to sign and signature from the
 * documented rule.
 *
 * The rule, as the API 2.0 servers apply it: every received parameter but `Signature`, names with
 * `_` read as `.` (the servers received `a.b` as `a_b`), sorted by name in code-unit order, joined as
 * `name=value` (values decoded, not re-encoded) with `&`, after `METHOD`, the Host as received and
 * the path and `?`; then base64 of HMAC-SHA1 (or HMAC-SHA256 when `SignatureMethod=HmacSHA256`)
 * under the SecretKey.
 *
 * @internal
 */
import { createHmac, timingSafeEqual } from "node:crypto"

/** Decode one form component (`+` is a space). `undefined` when the escapes are malformed. */
const decode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "))
  } catch {
    return undefined
  }
}

/** `a=1&b=2` → pairs in order, or the first malformed piece. */
export const parseForm = (raw: string): { readonly pairs: ReadonlyArray<readonly [string, string]> } | { readonly bad: string } => {
  const pairs: Array<readonly [string, string]> = []
  if (raw === "") return { pairs }
  for (const piece of raw.split("&")) {
    if (piece === "") continue
    const eq = piece.indexOf("=")
    const name = decode(eq < 0 ? piece : piece.slice(0, eq))
    const value = decode(eq < 0 ? "" : piece.slice(eq + 1))
    if (name === undefined || value === undefined) return { bad: piece.length > 80 ? piece.slice(0, 80) + "…" : piece }
    pairs.push([name, value])
  }
  return { pairs }
}

/** The string the server signs for these received parameters. */
export const signString = (method: string, host: string, path: string, received: ReadonlyArray<readonly [string, string]>): string => {
  const named = received.filter(([k]) => k !== "Signature").map(([k, v]) => [k.split("_").join("."), v] as const)
  named.sort((a, b) => (a[0] === b[0] ? 0 : a[0] < b[0] ? -1 : 1))
  return `${method.toUpperCase()}${host}${path}?${named.map(([k, v]) => `${k}=${v}`).join("&")}`
}

/** The expected signature. */
export const expectedSignature = (signatureMethod: "HmacSHA1" | "HmacSHA256", secretKey: string, text: string): string =>
  createHmac(signatureMethod === "HmacSHA256" ? "sha256" : "sha1", Buffer.from(secretKey, "utf8")).update(Buffer.from(text, "utf8")).digest("base64")

/** Constant-time comparison of two signatures. */
export const sameSignature = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
