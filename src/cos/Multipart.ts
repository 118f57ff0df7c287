/**
 * The multipart upload API of COS, one request per function: initiate, upload a part (its CRC-64
 * checked against the server's, optionally its MD5 sent as `Content-MD5`), list parts,
 * complete, abort, and list the bucket's unfinished uploads. `Transfer.upload` builds resumable,
 * concurrent uploads from these.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { type Cos, request } from "./Cos.js"
import { IntegrityError } from "./CosError.js"
import * as Crc64 from "./internal/crc64.js"
import { xmlRoot } from "./internal/protocol.js"
import * as Xml from "./internal/xml.js"
import { attributeHeaders, type ObjectAttributes } from "./internal/attributes.js"
import type { CosCallError } from "./Objects.js"

type K = { readonly bucket: string; readonly key: string }

/** Start a multipart upload; its id. */
export const initiate = (input: K & ObjectAttributes): Effect.Effect<string, CosCallError, Cos> =>
  request({
    operation: "InitiateMultipartUpload",
    method: "POST",
    bucket: input.bucket,
    key: input.key,
    query: { uploads: "" },
    headers: attributeHeaders(input),
    // a repeated initiate only leaves an unused upload behind
    safe: true,
    read: (a, laid) => Either.map(xmlRoot(a, laid, "InitiateMultipartUploadResult"), (d) => Xml.textOf(d, "UploadId") ?? "")
  })

/** One uploaded part. */
export interface PartInfo {
  readonly partNumber: number
  readonly etag: string
  readonly size: number
  /** CRC-64 of the part's bytes (decimal), when known. */
  readonly crc64?: string | undefined
}

/** Options of {@link uploadPart}. */
export interface UploadPartInput extends K {
  readonly uploadId: string
  /** 1..10000. */
  readonly partNumber: number
  readonly body: Uint8Array
  readonly timeoutMillis?: number | undefined
  /**
   * Also send the part's MD5 as `Content-MD5` (the server then refuses a damaged body itself) and
   * check the ETag against it. Default false: the part's CRC-64, computed here, is checked against
   * the server's `x-cos-hash-crc64ecma`, which proves the same at a fraction of the cost.
   */
  readonly contentMd5?: boolean | undefined
}

/**
 * Upload one part; fails with `IntegrityError` if the CRC-64 the server reports differs from the
 * bytes sent (and, with `contentMd5`, if the ETag differs from their MD5). A server that reports no
 * CRC-64 has the part checked by its ETag (MD5) instead: a part is never taken unchecked.
 */
export const uploadPart = (input: UploadPartInput): Effect.Effect<PartInfo, CosCallError | IntegrityError, Cos> => {
  const md5 = input.contentMd5 === true ? createHash("md5").update(input.body).digest("hex") : undefined
  const crc = Crc64.crc64(input.body).toString()
  const mismatch = (what: string, expected: string, actual: string) =>
    Effect.fail(IntegrityError.make({ what: `the ${what} of part ${input.partNumber}`, expected, actual, bucket: input.bucket, key: input.key }))
  return Effect.flatMap(
    request({
      operation: "UploadPart",
      method: "PUT",
      bucket: input.bucket,
      key: input.key,
      query: { partNumber: String(input.partNumber), uploadId: input.uploadId },
      headers: md5 === undefined ? {} : { "content-md5": Buffer.from(md5, "hex").toString("base64") },
      body: input.body,
      timeoutMillis: input.timeoutMillis,
      read: (a) => Either.right({ etag: a.headers.etag ?? "", crc64: a.headers["x-cos-hash-crc64ecma"] })
    }),
    (r) => {
      const etag = r.etag.replace(/"/g, "").toLowerCase()
      const wantMd5 = md5 ?? (r.crc64 === undefined ? createHash("md5").update(input.body).digest("hex") : undefined)
      if (wantMd5 !== undefined && etag !== wantMd5) return mismatch("ETag (MD5)", wantMd5, etag)
      if (r.crc64 !== undefined && r.crc64 !== crc) return mismatch("CRC-64", crc, r.crc64)
      return Effect.succeed({ partNumber: input.partNumber, etag: r.etag, size: input.body.length, crc64: crc })
    }
  )
}

/** Options of {@link uploadPartCopy}. */
export interface UploadPartCopyInput extends K {
  readonly uploadId: string
  /** 1..10000. */
  readonly partNumber: number
  /** The source object, as `x-cos-copy-source` names it: `<bucket>.cos.<region>.myqcloud.com/<key>`. */
  readonly copySource: string
  /** The source's bytes `start..end` (inclusive) that become this part. */
  readonly range: { readonly start: number; readonly end: number }
  /** Copy only while the source still has this ETag (`x-cos-copy-source-If-Match`). */
  readonly ifMatch?: string | undefined
}

/**
 * Upload Part - Copy: a part made on the server from a range of another object (how objects over
 * COS's 5 GB single-copy limit are copied). The part's ETag, and its CRC-64 when the server says.
 */
export const uploadPartCopy = (input: UploadPartCopyInput): Effect.Effect<PartInfo, CosCallError, Cos> =>
  request({
    operation: "UploadPartCopy",
    method: "PUT",
    bucket: input.bucket,
    key: input.key,
    query: { partNumber: String(input.partNumber), uploadId: input.uploadId },
    headers: {
      "x-cos-copy-source": input.copySource,
      "x-cos-copy-source-range": `bytes=${input.range.start}-${input.range.end}`,
      "x-cos-copy-source-if-match": input.ifMatch
    },
    read: (a, laid) =>
      Either.map(xmlRoot(a, laid, "CopyPartResult"), (d) => ({
        partNumber: input.partNumber,
        etag: Xml.textOf(d, "ETag") ?? "",
        size: input.range.end - input.range.start + 1,
        crc64: Xml.textOf(d, "CRC64") ?? a.headers["x-cos-hash-crc64ecma"]
      }))
  })

/** One page of the parts of an upload. */
const listPartsPage = (input: K & { readonly uploadId: string; readonly marker: number }) =>
  request({
    operation: "ListParts",
    method: "GET",
    bucket: input.bucket,
    key: input.key,
    query: { uploadId: input.uploadId, "part-number-marker": input.marker === 0 ? undefined : String(input.marker) },
    read: (a, laid) =>
      Either.map(xmlRoot(a, laid, "ListPartsResult"), (d) => ({
        parts: Xml.childrenOf(d, "Part").map((p): PartInfo => ({ partNumber: Number(Xml.textOf(p, "PartNumber")), etag: Xml.textOf(p, "ETag") ?? "", size: Number(Xml.textOf(p, "Size")) })),
        truncated: Xml.textOf(d, "IsTruncated") === "true",
        next: Number(Xml.textOf(d, "NextPartNumberMarker") ?? 0)
      }))
  })

/** Every part uploaded so far. */
export const listParts = (input: K & { readonly uploadId: string }): Effect.Effect<ReadonlyArray<PartInfo>, CosCallError, Cos> =>
  Stream.paginateEffect(0, (marker) =>
    Effect.map(listPartsPage({ ...input, marker }), (p) => [p.parts, p.truncated && p.next > marker ? Option.some(p.next) : Option.none()] as const)
  ).pipe(Stream.runCollect, Effect.map((chunks) => [...chunks].flat()))

/** Complete an upload from its parts (sorted here); the object's ETag and CRC-64. */
export const complete = (input: K & { readonly uploadId: string; readonly parts: ReadonlyArray<PartInfo> }): Effect.Effect<{ readonly etag: string; readonly crc64: string | undefined }, CosCallError, Cos> => {
  const parts = [...input.parts].sort((a, b) => a.partNumber - b.partNumber)
  const xml = Xml.build("CompleteMultipartUpload", { Part: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) })
  return request({
    operation: "CompleteMultipartUpload",
    method: "POST",
    bucket: input.bucket,
    key: input.key,
    query: { uploadId: input.uploadId },
    headers: { "content-type": "application/xml" },
    body: xml,
    // completing twice gives NoSuchUpload, never a second object
    safe: true,
    read: (a, laid) => Either.map(xmlRoot(a, laid, "CompleteMultipartUploadResult"), (d) => ({ etag: Xml.textOf(d, "ETag") ?? "", crc64: a.headers["x-cos-hash-crc64ecma"] }))
  })
}

/** Abort an upload (its parts are deleted). */
export const abort = (input: K & { readonly uploadId: string }): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "AbortMultipartUpload", method: "DELETE", bucket: input.bucket, key: input.key, query: { uploadId: input.uploadId }, read: () => Either.right(undefined) })

/** An unfinished upload. */
export interface UploadSummary {
  readonly key: string
  readonly uploadId: string
  readonly initiated: string
}

/** Options of {@link listUploads}. */
export interface ListUploadsInput {
  readonly bucket: string
  readonly prefix?: string | undefined
  /** Uploads per request (`max-uploads`, 1..1000; the server's default is 1000). */
  readonly pageSize?: number | undefined
}

/** One page of the bucket's unfinished uploads. */
const listUploadsPage = (input: ListUploadsInput & { readonly keyMarker: string; readonly uploadIdMarker: string }) =>
  request({
    operation: "ListMultipartUploads",
    method: "GET",
    bucket: input.bucket,
    query: {
      uploads: "",
      prefix: input.prefix,
      "key-marker": input.keyMarker || undefined,
      "upload-id-marker": input.uploadIdMarker || undefined,
      "max-uploads": input.pageSize === undefined ? undefined : String(input.pageSize)
    },
    read: (a, laid) =>
      Either.map(xmlRoot(a, laid, "ListMultipartUploadsResult"), (d) => ({
        uploads: Xml.childrenOf(d, "Upload").map((u): UploadSummary => ({ key: Xml.textOf(u, "Key") ?? "", uploadId: Xml.textOf(u, "UploadId") ?? "", initiated: Xml.textOf(u, "Initiated") ?? "" })),
        next: Xml.textOf(d, "IsTruncated") === "true" ? { keyMarker: Xml.textOf(d, "NextKeyMarker") ?? "", uploadIdMarker: Xml.textOf(d, "NextUploadIdMarker") ?? "" } : undefined
      }))
  })

/** The bucket's unfinished uploads (under a prefix), every page of them. */
export const listUploads = (input: ListUploadsInput): Effect.Effect<ReadonlyArray<UploadSummary>, CosCallError, Cos> =>
  Stream.paginateEffect({ keyMarker: "", uploadIdMarker: "" }, (m) =>
    Effect.map(listUploadsPage({ ...input, ...m }), (p) =>
      // a marker that does not move would page forever
      [p.uploads, p.next !== undefined && (p.next.keyMarker !== m.keyMarker || p.next.uploadIdMarker !== m.uploadIdMarker) ? Option.some(p.next) : Option.none()] as const
    )
  ).pipe(Stream.runCollect, Effect.map((chunks) => [...chunks].flat()))
