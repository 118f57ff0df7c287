/**
 * Server-side copy. One `PUT` with `x-cos-copy-source` up to COS's single-copy limit (5 GB); above
 * it (or above a lower `multipartThreshold`) a multipart copy: the upload initiated with the
 * attributes the directive asks for, the parts made on the server from ranges of the source
 * (Upload Part - Copy, `concurrency` at a time, each pinned to the source's ETag), completed, and
 * the copy's CRC-64 checked against the source's. A failed or interrupted multipart copy is aborted.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { Cos, request } from "../Cos.js"
import { IntegrityError } from "../CosError.js"
import * as Multipart from "../Multipart.js"
import type { CosCallError } from "../Objects.js"
import { attributeHeaders, attributesOfHead, type ObjectAttributes } from "./attributes.js"
import { encode, encodeKey } from "./encode.js"
import { xmlRoot } from "./protocol.js"
import * as Xml from "./xml.js"

const MB = 1024 * 1024
/** COS's limit for a single copy (and for one part): 5 GB. */
export const SINGLE_COPY_LIMIT = 5 * 1024 * MB

/** Input of {@link copyObject}. */
export interface CopyObjectInput extends ObjectAttributes {
  readonly bucket: string
  readonly key: string
  readonly source: { readonly bucket: string; readonly key: string; readonly region?: string | undefined; readonly versionId?: string | undefined }
  /** `Copy` (default) keeps the source's metadata; `Replaced` uses this request's attributes. */
  readonly metadataDirective?: "Copy" | "Replaced" | undefined
  /** Sources larger than this are copied in parts (default and most: 5 GB, COS's single-copy limit). */
  readonly multipartThreshold?: number | undefined
  /** Part size of a multipart copy (default 256 MB; raised to fit 10,000 parts; at least 1 MB). */
  readonly partSize?: number | undefined
  /** Parts copied at once (default 4). */
  readonly concurrency?: number | undefined
}

/** What a copy answered. */
export interface CopyResult {
  readonly etag: string
  readonly crc64: string | undefined
  readonly lastModified: string | undefined
  /** Parts of a multipart copy (absent for a single copy). */
  readonly parts?: number | undefined
}

/** The part size of a multipart copy of `size` bytes. */
export const copyPartSize = (size: number, requested = 256 * MB): number =>
  Math.min(SINGLE_COPY_LIMIT, Math.max(MB, requested, Math.ceil(size / 10_000 / MB) * MB))

/** The `x-cos-copy-source` value for a source. */
const sourceOf = (input: CopyObjectInput, defaultRegion: string | undefined): string => {
  const s = input.source
  return `${s.bucket}.cos.${s.region ?? defaultRegion ?? ""}.myqcloud.com/${encodeKey(s.key)}${s.versionId ? `?versionId=${encode(s.versionId)}` : ""}`
}

const singleCopy = (input: CopyObjectInput, src: string): Effect.Effect<CopyResult, CosCallError, Cos> =>
  request({
    operation: "PutObjectCopy",
    method: "PUT",
    bucket: input.bucket,
    key: input.key,
    headers: { ...attributeHeaders(input), "x-cos-copy-source": src, "x-cos-metadata-directive": input.metadataDirective ?? "Copy" },
    read: (a, laid) =>
      Either.map(xmlRoot(a, laid, "CopyObjectResult"), (doc) => ({ etag: Xml.textOf(doc, "ETag") ?? "", crc64: Xml.textOf(doc, "CRC64") ?? a.headers["x-cos-hash-crc64ecma"], lastModified: Xml.textOf(doc, "LastModified") }))
  })

/** HEAD of the source (its version when one is named). */
const headSource = (input: CopyObjectInput) =>
  request({
    operation: "HeadObject",
    method: "HEAD",
    bucket: input.source.bucket,
    key: input.source.key,
    region: input.source.region,
    query: { versionId: input.source.versionId },
    read: (a) => Either.right(a.headers)
  })

const multipartCopy = (input: CopyObjectInput, src: string, head: Readonly<Record<string, string>>, size: number): Effect.Effect<CopyResult, CosCallError | IntegrityError, Cos> =>
  Effect.gen(function* () {
    const kept = input.metadataDirective === "Replaced" ? input : { ...attributesOfHead(head), storageClass: input.storageClass, acl: input.acl }
    const uploadId = yield* Multipart.initiate({ ...kept, bucket: input.bucket, key: input.key })
    const partSize = copyPartSize(size, input.partSize)
    const count = Math.ceil(size / partSize)
    const etag = head.etag
    const parts = yield* Effect.forEach(
      Array.from({ length: count }, (_, i) => i + 1),
      (n) => {
        const start = (n - 1) * partSize
        return Multipart.uploadPartCopy({ bucket: input.bucket, key: input.key, uploadId, partNumber: n, copySource: src, range: { start, end: Math.min(size, start + partSize) - 1 }, ifMatch: etag })
      },
      { concurrency: Math.max(1, input.concurrency ?? 4) }
    ).pipe(Effect.onExit((exit) => (exit._tag === "Failure" ? Effect.ignore(Multipart.abort({ bucket: input.bucket, key: input.key, uploadId })) : Effect.void)))
    const done = yield* Multipart.complete({ bucket: input.bucket, key: input.key, uploadId, parts })
    const want = head["x-cos-hash-crc64ecma"]
    if (want !== undefined && done.crc64 !== undefined && done.crc64 !== want) {
      return yield* IntegrityError.make({ what: "the CRC-64 of the copy", expected: want, actual: done.crc64, bucket: input.bucket, key: input.key })
    }
    return { etag: done.etag, crc64: done.crc64 ?? want, lastModified: undefined, parts: count }
  })

/**
 * Server-side copy, also how an object's attributes are changed in place (`Replaced` onto itself).
 * Sources over `multipartThreshold` (5 GB by default, COS's limit for one copy) are copied in parts.
 */
export const copyObject = (input: CopyObjectInput): Effect.Effect<CopyResult, CosCallError | IntegrityError, Cos> =>
  Effect.flatMap(Cos, (c) => {
    const src = sourceOf(input, c.config.region)
    const threshold = Math.min(input.multipartThreshold ?? SINGLE_COPY_LIMIT, SINGLE_COPY_LIMIT)
    return Effect.flatMap(headSource(input), (head) => {
      const size = Number(head["content-length"] ?? 0)
      return size > threshold ? multipartCopy(input, src, head, size) : singleCopy(input, src)
    })
  })
