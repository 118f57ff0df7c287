/**
 * The emulator's check of a COS `q-sign-algorithm=sha1` signature, from the request as received
 * (header or presigned-URL form). Written from the documentation (436/7778) and independently of the
 * client's signer: its own byte-wise percent-encoder and its own reading of the raw query, so a
 * shared mistake cannot make both agree.
 *
 * @internal
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"

const UNRESERVED = /[A-Za-z0-9\-_.~]/

/** RFC 3986 percent-encoding, byte by byte, upper-case hex. */
const pct = (s: string): string => {
  let out = ""
  for (const byte of Buffer.from(s, "utf8")) {
    const ch = String.fromCharCode(byte)
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : "%" + byte.toString(16).toUpperCase().padStart(2, "0")
  }
  return out
}

/** Decode `%XX` (and `+` as a space in query strings) leniently. */
export const unpct = (s: string, plusIsSpace: boolean): string => {
  const t = plusIsSpace ? s.replace(/\+/g, " ") : s
  try {
    return decodeURIComponent(t)
  } catch {
    return t
  }
}

/** The raw query as `[name, value]` pairs, decoded, in order. */
export const queryPairs = (rawQuery: string): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  if (rawQuery === "") return out
  for (const piece of rawQuery.split("&")) {
    if (piece === "") continue
    const eq = piece.indexOf("=")
    out.push(eq < 0 ? [unpct(piece, true), ""] : [unpct(piece.slice(0, eq), true), unpct(piece.slice(eq + 1), true)])
  }
  return out
}

/** The signature fields. */
export interface QSign {
  readonly secretId: string
  readonly keyTime: readonly [number, number]
  readonly signTime: string
  readonly headers: ReadonlyArray<string>
  readonly params: ReadonlyArray<string>
  readonly signature: string
  readonly fromUrl: boolean
}

const AUTH_PARAMS = new Set(["q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list", "q-signature"])

/** Read the signature from the Authorization header or the URL; `"none"` when unsigned, a message when malformed. */
export const readSignature = (authorization: string | undefined, pairs: ReadonlyArray<[string, string]>): QSign | "none" | string => {
  let fields: Map<string, string>
  let fromUrl = false
  if (authorization !== undefined && authorization !== "") {
    fields = new Map()
    for (const p of authorization.split("&")) {
      const eq = p.indexOf("=")
      if (eq > 0) fields.set(p.slice(0, eq).trim(), p.slice(eq + 1))
    }
  } else {
    fields = new Map(pairs.filter(([k]) => AUTH_PARAMS.has(k)))
    if (fields.size === 0) return "none"
    fromUrl = true
  }
  if (fields.get("q-sign-algorithm") !== "sha1") return "q-sign-algorithm must be sha1"
  const ak = fields.get("q-ak")
  const keyTime = fields.get("q-key-time")
  const signTime = fields.get("q-sign-time")
  const sig = fields.get("q-signature")
  if (!ak || !keyTime || !signTime || !sig) return "the Authorization lacks q-ak, q-key-time, q-sign-time or q-signature"
  const m = /^(\d+);(\d+)$/.exec(keyTime)
  if (m === null) return "q-key-time must be <start>;<end> in unix seconds"
  const list = (k: string) => {
    const v = fields.get(k) ?? ""
    return v === "" ? [] : unpct(v, false).split(";")
  }
  return {
    secretId: ak,
    keyTime: [Number(m[1]), Number(m[2])],
    signTime,
    headers: list("q-header-list"),
    params: list("q-url-param-list"),
    signature: sig.toLowerCase(),
    fromUrl
  }
}

/**
 * Recompute the signature over the request and compare. `path` is the raw request path (still
 * percent-encoded); the signed path is its decoded form. Returns `undefined` when it matches, or
 * the reason it does not.
 */
export const check = (
  sig: QSign,
  secretKey: string,
  method: string,
  rawPath: string,
  pairs: ReadonlyArray<[string, string]>,
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): string | undefined => {
  const params = new Map<string, string>()
  for (const [k, v] of pairs) {
    const name = pct(k).toLowerCase()
    if (!params.has(name)) params.set(name, v)
  }
  const paramText: Array<string> = []
  for (const name of [...sig.params].sort()) {
    const v = params.get(name)
    if (v === undefined) return `the signed parameter "${name}" is not in the request`
    paramText.push(`${name}=${pct(v)}`)
  }
  const headerText: Array<string> = []
  for (const name of [...sig.headers].sort()) {
    const raw = headers[name]
    if (raw === undefined) return `the signed header "${name}" is not in the request`
    headerText.push(`${name}=${pct(typeof raw === "string" ? raw : raw.join(","))}`)
  }
  const format = [method.toLowerCase(), unpct(rawPath, false), paramText.join("&"), headerText.join("&"), ""].join("\n")
  const keyTime = `${sig.keyTime[0]};${sig.keyTime[1]}`
  const signKey = createHmac("sha1", secretKey).update(keyTime).digest("hex")
  const toSign = ["sha1", sig.signTime, createHash("sha1").update(Buffer.from(format, "utf8")).digest("hex"), ""].join("\n")
  const expected = Buffer.from(createHmac("sha1", signKey).update(toSign).digest("hex"))
  const given = Buffer.from(sig.signature)
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : "the signature does not match the request"
}
