/**
 * Redaction shared by every protocol: the secret-bearing headers and query/form parameters of
 * Tencent API 3.0 and 2.0, COS and Huawei Cloud, plus the names a protocol adds. Used for the
 * debugging hook, logs and anything else that shows a request.
 *
 * @internal
 */

const REDACTED = "<redacted>"

/** Header names (lower case) whose values are secrets. */
const SECRET_HEADERS: ReadonlySet<string> = /*#__PURE__*/ new Set([
  "authorization",
  "x-tc-token",
  "x-cos-security-token",
  "x-security-token",
  "x-auth-token",
  "x-subject-token",
  "proxy-authorization",
  "cookie",
  "set-cookie"
])

/** Query/form parameter names (lower case) whose values are secrets. */
const SECRET_PARAMS: ReadonlySet<string> = /*#__PURE__*/ new Set([
  "token",
  "signature",
  "q-signature",
  "x-cos-security-token",
  "sign",
  "x-security-token",
  "secretkey"
])

const isSecretParam = (name: string, extra: ReadonlyArray<string> | undefined): boolean => {
  let n = name
  try {
    n = decodeURIComponent(name)
  } catch {
    // keep the raw name
  }
  const l = n.toLowerCase()
  return SECRET_PARAMS.has(l) || (extra !== undefined && extra.some((e) => e.toLowerCase() === l))
}

/** Redact secret parameters in a query string (with or without a leading URL) or a form body. */
export const redactForm = (s: string, extra?: ReadonlyArray<string>): string => {
  const q = s.indexOf("?")
  const head = q < 0 && !s.includes("://") ? "" : s.slice(0, q < 0 ? s.length : q + 1)
  const tail = q < 0 && !s.includes("://") ? s : q < 0 ? "" : s.slice(q + 1)
  if (tail === "") return s
  return (
    head +
    tail
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=")
        const name = eq < 0 ? pair : pair.slice(0, eq)
        return eq >= 0 && isSecretParam(name, extra) ? `${name}=${REDACTED}` : pair
      })
      .join("&")
  )
}

/** Redact secret-bearing headers (any letter case). */
export const redactHeaders = (
  h: Readonly<Record<string, string>>,
  extra?: ReadonlyArray<string>
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const k in h) {
    const l = k.toLowerCase()
    out[k] = SECRET_HEADERS.has(l) || (extra !== undefined && extra.some((e) => e.toLowerCase() === l)) ? REDACTED : h[k]
  }
  return out
}
