/**
 * COS objects: put (bytes, text, a `Stream`, a file), get (as bytes, as a `Stream`, to a file; ranges;
 * conditional headers), head, delete, delete many, server-side copy with a metadata directive,
 * append, tagging and ACL basics. Listing lives in `Listing.ts`, large transfers in `Transfer.ts`.
 *
 * @example
 * ```ts
 * const put = Objects.putObject({ bucket: "photos-1250000000", key: "2024/猫.jpg", body: bytes, contentType: "image/jpeg" })
 * const got = Objects.getObject({ bucket: "photos-1250000000", key: "2024/猫.jpg", range: { start: 0, end: 1023 } })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { SdkError } from "../Errors.js"
import type { Answer } from "../core/Protocol.js"
import { Cos, request, requestStream } from "./Cos.js"
import { type AnyCosError, type CosError, FileError, IntegrityError } from "./CosError.js"
import { attributeHeaders, type ObjectAttributes } from "./internal/attributes.js"
import { type Body, resolve } from "./internal/body.js"
import * as Crc64 from "./internal/crc64.js"
import { encode, encodeKey } from "./internal/encode.js"
import { xmlRoot } from "./internal/protocol.js"
import * as Xml from "./internal/xml.js"
import { createHash } from "node:crypto"
import * as fs from "node:fs"

export { type Body, fromFile, fromStream } from "./internal/body.js"
export { attributeHeaders, type ObjectAttributes } from "./internal/attributes.js"

/** Any failure of a COS call (`catchTag` works by COS code). */
export type CosCallError = AnyCosError | SdkError

/** What HEAD (and GET) tell about an object. */
export interface ObjectHead {
  readonly size: number
  readonly etag: string
  readonly lastModified: string | undefined
  readonly contentType: string | undefined
  /** CRC-64/ECMA of the whole object (`x-cos-hash-crc64ecma`), decimal. */
  readonly crc64: string | undefined
  readonly storageClass: string | undefined
  /** `x-cos-meta-*` without the prefix. */
  readonly meta: Readonly<Record<string, string>>
  readonly requestId: string
  /** Every header of the answer (lower-case names). */
  readonly headers: Readonly<Record<string, string>>
}

/** Read the head of an answer. */
export const headOf = (h: Readonly<Record<string, string>>): ObjectHead => {
  const meta: Record<string, string> = {}
  for (const k of Object.keys(h)) if (k.startsWith("x-cos-meta-")) meta[k.slice(11)] = h[k]
  const range = h["content-range"]
  const total = range !== undefined ? Number(range.split("/")[1]) : Number(h["content-length"] ?? 0)
  return {
    size: Number.isFinite(total) ? total : 0,
    etag: h.etag ?? "",
    lastModified: h["last-modified"],
    contentType: h["content-type"],
    crc64: h["x-cos-hash-crc64ecma"],
    storageClass: h["x-cos-storage-class"],
    meta,
    requestId: h["x-cos-request-id"] ?? "",
    headers: h
  }
}

/** What an upload answered. */
export interface PutResult {
  readonly etag: string
  readonly crc64: string | undefined
  readonly requestId: string
  readonly versionId: string | undefined
}

const putResult = (a: Answer): Either.Either<PutResult, never> =>
  Either.right({ etag: a.headers.etag ?? "", crc64: a.headers["x-cos-hash-crc64ecma"], requestId: a.headers["x-cos-request-id"] ?? "", versionId: a.headers["x-cos-version-id"] })

/** Input of {@link putObject}. */
export interface PutObjectInput extends ObjectAttributes {
  readonly bucket: string
  readonly key: string
  readonly body: Body
  /** Refuse to overwrite an existing object (`x-cos-forbid-overwrite: true`; 409 `FileAlreadyExists`). */
  readonly forbidOverwrite?: boolean | undefined
  /** `x-cos-tagging`, e.g. `{ team: "a" }`. */
  readonly tags?: Readonly<Record<string, string>> | undefined
  /** Check the server's CRC-64 against the bytes sent (for bytes and text; default true). */
  readonly verifyCrc64?: boolean | undefined
}

const tagHeader = (tags: Readonly<Record<string, string>> | undefined) =>
  tags === undefined ? undefined : Object.entries(tags).map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&")

/** Upload an object in one request (up to 5 GB; `Transfer.upload` for multipart). */
export const putObject = (input: PutObjectInput): Effect.Effect<PutResult, CosCallError | FileError | IntegrityError, Cos> =>
  Effect.flatMap(resolve(input.body), (body) =>
    Effect.flatMap(
      request<PutResult>({
        operation: "PutObject",
        method: "PUT",
        bucket: input.bucket,
        key: input.key,
        headers: { ...attributeHeaders(input), "x-cos-forbid-overwrite": input.forbidOverwrite ? "true" : undefined, "x-cos-tagging": tagHeader(input.tags) },
        body,
        read: putResult
      }),
      (r) => {
        if (input.verifyCrc64 === false || r.crc64 === undefined || !(typeof body === "string" || body instanceof Uint8Array)) return Effect.succeed(r)
        const local = Crc64.crc64(typeof body === "string" ? new TextEncoder().encode(body) : body).toString()
        return local === r.crc64 ? Effect.succeed(r) : Effect.fail(IntegrityError.make({ what: "the CRC-64", expected: local, actual: r.crc64, bucket: input.bucket, key: input.key }))
      }
    )
  )

/** Conditions and a range of a read. */
export interface GetObjectInput {
  readonly bucket: string
  readonly key: string
  /** Bytes `start..end` inclusive (`end` omitted: to the end), or a raw `Range` value. */
  readonly range?: { readonly start: number; readonly end?: number | undefined } | string | undefined
  readonly ifMatch?: string | undefined
  readonly ifNoneMatch?: string | undefined
  readonly ifModifiedSince?: string | undefined
  readonly ifUnmodifiedSince?: string | undefined
  readonly versionId?: string | undefined
  /** `response-content-type` and friends: override the answer's headers. */
  readonly responseHeaders?: Readonly<Record<string, string>> | undefined
}

const rangeHeader = (r: GetObjectInput["range"]): string | undefined =>
  r === undefined ? undefined : typeof r === "string" ? r : `bytes=${r.start}-${r.end ?? ""}`

const getRequest = (input: GetObjectInput, operation = "GetObject") => ({
  operation,
  method: "GET" as const,
  bucket: input.bucket,
  key: input.key,
  query: { versionId: input.versionId, ...Object.fromEntries(Object.entries(input.responseHeaders ?? {}).map(([k, v]) => [`response-${k.toLowerCase()}`, v])) },
  headers: {
    range: rangeHeader(input.range),
    "if-match": input.ifMatch,
    "if-none-match": input.ifNoneMatch,
    "if-modified-since": input.ifModifiedSince,
    "if-unmodified-since": input.ifUnmodifiedSince
  },
  read: (a: Answer) => Either.right(a)
})

/** An object's bytes, streamed, with its head (in the caller's scope). */
export const getObjectStreamed = (input: GetObjectInput) =>
  Effect.map(requestStream(getRequest(input)), (s) => ({ head: headOf(s.headers), status: s.status, body: s.body }))

/** An object's bytes as a `Stream` (the request is made when the stream runs). */
export const getObjectStream = (input: GetObjectInput): Stream.Stream<Uint8Array, CosCallError, Cos> =>
  Stream.unwrapScoped(Effect.map(getObjectStreamed(input), (r) => r.body))

/** An object (or a range of it) in memory, with its head; the whole object's CRC-64 is checked. */
export const getObject = (input: GetObjectInput): Effect.Effect<ObjectHead & { readonly body: Uint8Array }, CosCallError | IntegrityError, Cos> =>
  Effect.scoped(
    Effect.flatMap(getObjectStreamed(input), (r) =>
      Effect.flatMap(Stream.runCollect(r.body), (chunks) => {
        let n = 0
        for (const c of chunks) n += c.length
        const body = new Uint8Array(n)
        let o = 0
        for (const c of chunks) {
          body.set(c, o)
          o += c.length
        }
        if (r.status === 200 && r.head.crc64 !== undefined && input.range === undefined) {
          const local = Crc64.crc64(body).toString()
          if (local !== r.head.crc64) return Effect.fail(IntegrityError.make({ what: "the CRC-64", expected: r.head.crc64, actual: local, bucket: input.bucket, key: input.key }))
        }
        return Effect.succeed({ ...r.head, body })
      })
    )
  )

/** Download an object (or a range) to a file, streamed; the whole object's CRC-64 is checked. */
export const downloadObject = (input: GetObjectInput & { readonly path: string }): Effect.Effect<ObjectHead, CosCallError | FileError | IntegrityError, Cos> =>
  Effect.scoped(
    Effect.flatMap(getObjectStreamed(input), (r) =>
      Effect.flatMap(
        Effect.acquireRelease(
          Effect.try({ try: () => fs.createWriteStream(input.path), catch: (e) => FileError.make(input.path, "write", e) }),
          (w) => Effect.promise(() => new Promise<void>((done) => (w.writableEnded ? done() : w.end(() => done()))))
        ),
        (w) => {
          const crc = Crc64.init()
          let broken: unknown = undefined
          w.on("error", (e) => (broken ??= e))
          // resumes on `drain` or `finish`, fails if the file stream failed
          const settle = (event: "drain" | "finish") =>
            Effect.async<void, FileError>((resume) => {
              const off = () => (w.off(event, done), w.off("error", done))
              const done = () => {
                off()
                resume(broken === undefined ? Effect.void : Effect.fail(FileError.make(input.path, "write", broken)))
              }
              if (broken !== undefined) return done()
              w.once(event, done)
              w.once("error", done)
              return Effect.sync(off)
            })
          // a chunk of buffers at a time; waits only when the file stream asks to
          return Stream.runForEachChunk(r.body, (chunk) => {
            let room = true
            for (const buf of chunk) {
              Crc64.update(crc, buf)
              room = w.write(buf)
            }
            return room && broken === undefined ? Effect.void : settle("drain")
          }).pipe(
            Effect.flatMap(() => Effect.suspend(() => (w.end(), settle("finish")))),
            Effect.flatMap(() => {
              const local = Crc64.digest(crc).toString()
              return r.status === 200 && r.head.crc64 !== undefined && input.range === undefined && local !== r.head.crc64
                ? Effect.fail(IntegrityError.make({ what: "the CRC-64", expected: r.head.crc64, actual: local, bucket: input.bucket, key: input.key }))
                : Effect.succeed(r.head)
            })
          )
        }
      )
    )
  )

/** HEAD: an object's size, ETag, CRC-64, metadata; `NoSuchKey` when absent (named, although HEAD has no body). */
export const headObject = (input: { readonly bucket: string; readonly key: string; readonly versionId?: string | undefined }): Effect.Effect<ObjectHead, CosCallError, Cos> =>
  request({ operation: "HeadObject", method: "HEAD", bucket: input.bucket, key: input.key, query: { versionId: input.versionId }, read: (a) => Either.right(headOf(a.headers)) })

/** Whether an object exists (HEAD; `false` on 404). */
export const exists = (input: { readonly bucket: string; readonly key: string }): Effect.Effect<boolean, CosCallError, Cos> =>
  headObject(input).pipe(
    Effect.as(true),
    Effect.catchIf((e): e is CosError => (e as CosError).status === 404, () => Effect.succeed(false))
  )

/** Delete an object (deleting a missing key succeeds, as in COS). */
export const deleteObject = (input: { readonly bucket: string; readonly key: string; readonly versionId?: string | undefined }): Effect.Effect<{ readonly requestId: string }, CosCallError, Cos> =>
  request({ operation: "DeleteObject", method: "DELETE", bucket: input.bucket, key: input.key, query: { versionId: input.versionId }, read: (a) => Either.right({ requestId: a.headers["x-cos-request-id"] ?? "" }) })

/** What Delete Multiple Objects answered. */
export interface DeleteManyResult {
  readonly deleted: ReadonlyArray<string>
  readonly errors: ReadonlyArray<{ readonly key: string; readonly code: string; readonly message: string }>
}

/** Delete up to 1000 objects in one request (more are sent in batches of 1000). */
export const deleteObjects = (input: { readonly bucket: string; readonly keys: ReadonlyArray<string>; readonly quiet?: boolean | undefined }): Effect.Effect<DeleteManyResult, CosCallError, Cos> => {
  const batches: Array<ReadonlyArray<string>> = []
  for (let i = 0; i < input.keys.length; i += 1000) batches.push(input.keys.slice(i, i + 1000))
  return Effect.map(
    Effect.forEach(batches, (keys) => {
      const xml = Xml.build("Delete", { Quiet: input.quiet ?? false, Object: keys.map((Key) => ({ Key })) })
      return request<DeleteManyResult>({
        operation: "DeleteMultipleObjects",
        method: "POST",
        bucket: input.bucket,
        query: { delete: "" },
        safe: true,
        headers: { "content-type": "application/xml", "content-md5": md5Base64(xml) },
        body: xml,
        read: (a, laid) =>
          Either.map(xmlRoot(a, laid, "DeleteResult"), (doc) => ({
            deleted: Xml.childrenOf(doc, "Deleted").map((d) => Xml.textOf(d, "Key") ?? ""),
            errors: Xml.childrenOf(doc, "Error").map((e) => ({ key: Xml.textOf(e, "Key") ?? "", code: Xml.textOf(e, "Code") ?? "", message: Xml.textOf(e, "Message") ?? "" }))
          }))
      })
    }),
    (rs) => ({ deleted: rs.flatMap((r) => r.deleted), errors: rs.flatMap((r) => r.errors) })
  )
}

const md5Base64 = (s: string | Uint8Array) => createHash("md5").update(s).digest("base64")

export { copyObject, type CopyObjectInput, type CopyResult } from "./internal/copy.js"

/** Append to an appendable object at `position` (its current length; 0 creates it). */
export const appendObject = (input: ObjectAttributes & { readonly bucket: string; readonly key: string; readonly position: number; readonly body: Uint8Array | string }): Effect.Effect<{ readonly nextPosition: number; readonly crc64: string | undefined }, CosCallError, Cos> =>
  request({
    operation: "AppendObject",
    method: "POST",
    bucket: input.bucket,
    key: input.key,
    query: { append: "", position: String(input.position) },
    headers: attributeHeaders(input),
    body: input.body,
    read: (a) => Either.right({ nextPosition: Number(a.headers["x-cos-next-append-position"] ?? NaN), crc64: a.headers["x-cos-hash-crc64ecma"] })
  })

/** An object's tags. */
export const getObjectTagging = (input: { readonly bucket: string; readonly key: string }): Effect.Effect<Readonly<Record<string, string>>, CosCallError, Cos> =>
  request({
    operation: "GetObjectTagging",
    method: "GET",
    bucket: input.bucket,
    key: input.key,
    query: { tagging: "" },
    read: (a, laid) => Either.map(xmlRoot(a, laid, "Tagging"), (doc) => Object.fromEntries(Xml.childrenOf(Xml.child(doc, "TagSet"), "Tag").map((t) => [Xml.textOf(t, "Key") ?? "", Xml.textOf(t, "Value") ?? ""])))
  })

/** Replace an object's tags. */
export const putObjectTagging = (input: { readonly bucket: string; readonly key: string; readonly tags: Readonly<Record<string, string>> }): Effect.Effect<void, CosCallError, Cos> => {
  const xml = Xml.build("Tagging", { TagSet: { Tag: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })) } })
  return request({ operation: "PutObjectTagging", method: "PUT", bucket: input.bucket, key: input.key, query: { tagging: "" }, headers: { "content-type": "application/xml", "content-md5": md5Base64(xml) }, body: xml, read: () => Either.right(undefined) })
}

/** Remove an object's tags. */
export const deleteObjectTagging = (input: { readonly bucket: string; readonly key: string }): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "DeleteObjectTagging", method: "DELETE", bucket: input.bucket, key: input.key, query: { tagging: "" }, read: () => Either.right(undefined) })

/** Set an object's canned ACL (`private`, `public-read`, `default` = the bucket's). */
export const putObjectAcl = (input: { readonly bucket: string; readonly key: string; readonly acl: "private" | "public-read" | "default" }): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "PutObjectAcl", method: "PUT", bucket: input.bucket, key: input.key, query: { acl: "" }, headers: { "x-cos-acl": input.acl }, read: () => Either.right(undefined) })

/** An object's ACL, reduced to the canned value it amounts to. */
export const getObjectAcl = (input: { readonly bucket: string; readonly key: string }): Effect.Effect<{ readonly acl: "private" | "public-read" | "public-read-write"; readonly owner: string }, CosCallError, Cos> =>
  request({ operation: "GetObjectAcl", method: "GET", bucket: input.bucket, key: input.key, query: { acl: "" }, read: (a, laid) => Either.map(xmlRoot(a, laid, "AccessControlPolicy"), aclOf) })

/** The canned ACL an AccessControlPolicy document amounts to. */
export const aclOf = (doc: Xml.XmlNode): { readonly acl: "private" | "public-read" | "public-read-write"; readonly owner: string } => {
  const grants = Xml.childrenOf(Xml.child(doc, "AccessControlList"), "Grant")
  const everyone = (g: Xml.XmlNode) => {
    const who = Xml.child(g, "Grantee")
    return Xml.textOf(who, "URI")?.endsWith("/AllUsers") === true || Xml.textOf(who, "ID") === "qcs::cam::anyone:anyone"
  }
  const perms = new Set(grants.filter(everyone).map((g) => Xml.textOf(g, "Permission")))
  return {
    acl: perms.has("FULL_CONTROL") || (perms.has("READ") && perms.has("WRITE")) ? "public-read-write" : perms.has("READ") ? "public-read" : "private",
    owner: Xml.textOf(Xml.child(doc, "Owner"), "ID") ?? ""
  }
}
