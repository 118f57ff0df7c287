/**
 * Object attributes (content headers, user metadata, storage class, ACL) and the headers that
 * carry them, shared by uploads, copies and multipart uploads.
 *
 * @internal
 */

/** Object attributes sent with uploads and copies. */
export interface ObjectAttributes {
  readonly contentType?: string | undefined
  readonly cacheControl?: string | undefined
  readonly contentDisposition?: string | undefined
  readonly contentEncoding?: string | undefined
  readonly contentLanguage?: string | undefined
  readonly expires?: string | undefined
  /** User metadata, sent as `x-cos-meta-<name>` (names: letters, digits, `-`). */
  readonly meta?: Readonly<Record<string, string>> | undefined
  readonly storageClass?: string | undefined
  /** `private`, `public-read`, `default`. */
  readonly acl?: string | undefined
  /** Extra headers, sent and signed as given. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** The headers of some attributes. */
export const attributeHeaders = (a: ObjectAttributes): Record<string, string | undefined> => {
  const h: Record<string, string | undefined> = {
    "content-type": a.contentType,
    "cache-control": a.cacheControl,
    "content-disposition": a.contentDisposition,
    "content-encoding": a.contentEncoding,
    "content-language": a.contentLanguage,
    expires: a.expires,
    "x-cos-storage-class": a.storageClass,
    "x-cos-acl": a.acl,
    ...a.headers
  }
  for (const [k, v] of Object.entries(a.meta ?? {})) h[`x-cos-meta-${k.toLowerCase()}`] = v
  return h
}

const CONTENT_HEADERS = ["content-type", "cache-control", "content-disposition", "content-encoding", "content-language", "expires"] as const

/**
 * The attributes an object has, read from the headers of its HEAD answer (what a copy keeps under
 * the `Copy` directive). Storage class and ACL are left to the copy's own input.
 */
export const attributesOfHead = (h: Readonly<Record<string, string>>): ObjectAttributes => {
  const headers: Record<string, string> = {}
  for (const name of CONTENT_HEADERS) if (h[name] !== undefined) headers[name] = h[name]
  const meta: Record<string, string> = {}
  for (const k of Object.keys(h)) if (k.startsWith("x-cos-meta-")) meta[k.slice(11)] = h[k]
  return { headers, meta }
}
