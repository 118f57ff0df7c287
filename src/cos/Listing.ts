/**
 * Listing a bucket (GET Bucket, by prefix and delimiter, paged by `marker`/`NextMarker`) as
 * streams: `listObjectsPages` yields each page (objects and common prefixes), `listObjectsItems`
 * each object. Keys are requested URL-encoded (`encoding-type=url`) and decoded, so keys with
 * control-like or XML-hostile characters arrive intact.
 *
 * @example
 * ```ts
 * const keys = Listing.listObjectsItems({ bucket, prefix: "logs/" }).pipe(Stream.map((o) => o.key), Stream.runCollect)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type Cos, request } from "./Cos.js"
import type { CosCallError } from "./Objects.js"
import { xmlRoot } from "./internal/protocol.js"
import * as Xml from "./internal/xml.js"

/** One object in a listing. */
export interface ObjectSummary {
  readonly key: string
  readonly size: number
  readonly etag: string
  readonly lastModified: string
  readonly storageClass: string
}

/** One page of a listing. */
export interface ListPage {
  readonly objects: ReadonlyArray<ObjectSummary>
  /** Rolled-up "folders" when a delimiter is given. */
  readonly commonPrefixes: ReadonlyArray<string>
  readonly isTruncated: boolean
  /** Where the next page starts (opaque; pass it as `marker`). */
  readonly nextMarker: string | undefined
}

/** What to list. */
export interface ListInput {
  readonly bucket: string
  readonly prefix?: string | undefined
  /** One character, usually `/`. */
  readonly delimiter?: string | undefined
  /** Start after this key (exclusive). */
  readonly marker?: string | undefined
  /** Page size, 1..1000 (default 1000). */
  readonly maxKeys?: number | undefined
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** One page. */
export const listObjects = (input: ListInput): Effect.Effect<ListPage, CosCallError, Cos> =>
  request({
    operation: "GetBucket",
    method: "GET",
    bucket: input.bucket,
    query: {
      prefix: input.prefix,
      delimiter: input.delimiter,
      marker: input.marker,
      "max-keys": input.maxKeys === undefined ? undefined : String(input.maxKeys),
      "encoding-type": "url"
    },
    read: (a, laid) =>
      Either.map(xmlRoot(a, laid, "ListBucketResult"), (doc): ListPage => {
        const encoded = Xml.textOf(doc, "EncodingType") === "url"
        const k = (s: string | undefined) => (s === undefined ? undefined : encoded ? decode(s) : s)
        const objects = Xml.childrenOf(doc, "Contents").map((c) => ({
          key: k(Xml.textOf(c, "Key")) ?? "",
          size: Number(Xml.textOf(c, "Size") ?? 0),
          etag: Xml.textOf(c, "ETag") ?? "",
          lastModified: Xml.textOf(c, "LastModified") ?? "",
          storageClass: Xml.textOf(c, "StorageClass") ?? ""
        }))
        const commonPrefixes = Xml.childrenOf(doc, "CommonPrefixes").map((p) => k(Xml.textOf(p, "Prefix")) ?? "")
        const isTruncated = Xml.textOf(doc, "IsTruncated") === "true"
        // COS sends NextMarker only with a delimiter; otherwise the last key is the marker
        const last = [...objects.map((o) => o.key), ...commonPrefixes].sort().pop()
        const nextMarker = isTruncated ? (k(Xml.textOf(doc, "NextMarker")) ?? last) : undefined
        return { objects, commonPrefixes, isTruncated, nextMarker }
      })
  })

/** Every page, fetched as the stream is read. */
export const listObjectsPages = (input: ListInput): Stream.Stream<ListPage, CosCallError, Cos> =>
  Stream.paginateEffect(input.marker as string | undefined, (marker) =>
    Effect.map(listObjects({ ...input, marker }), (page) => [page, page.isTruncated && page.nextMarker !== undefined ? Option.some(page.nextMarker) : Option.none()] as const)
  )

/** Every object, page after page. */
export const listObjectsItems = (input: ListInput): Stream.Stream<ObjectSummary, CosCallError, Cos> =>
  Stream.flatMap(listObjectsPages(input), (p) => Stream.fromIterable(p.objects))
