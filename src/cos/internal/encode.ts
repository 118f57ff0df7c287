/**
 * Percent-encoding as COS uses it: RFC 3986 unreserved characters stay, everything else is the
 * UTF-8 bytes in upper-case `%XX` (so `!'()*` are encoded too, unlike `encodeURIComponent`).
 * Object keys keep `/` in URL paths.
 *
 * @internal
 */

/** Encode one value for a query string or a signature's parameter/header list. */
export const encode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())

/** Encode an object key for a URL path (`/` kept). */
export const encodeKey = (key: string): string => encode(key).replace(/%2F/g, "/")

/** `k=v&k=v` of a record, keys sorted, values encoded (`undefined` → `k=`). */
export const queryString = (params: Readonly<Record<string, string | undefined>>): string =>
  Object.keys(params)
    .sort()
    .map((k) => `${encode(k)}=${encode(params[k] ?? "")}`)
    .join("&")
