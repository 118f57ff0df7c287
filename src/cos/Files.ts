/**
 * Files and folders: the model of the retired COS v4 API (paths like `/photos/2024/cat.jpg`, folders
 * ending in `/`), with the same meaning on today's XML API.
 *
 * | v4 | here | on the XML API |
 * |---|---|---|
 * | upload (`biz_attr`, `insertOnly`) | `uploadFile` | PUT / multipart; `biz_attr` as `x-cos-meta-biz-attr`; `insertOnly` as `x-cos-forbid-overwrite` |
 * | stat | `statFile` / `statFolder` | HEAD |
 * | update (biz_attr, authority, custom_headers) | `updateFile` / `updateFolder` | copy onto itself with `Replaced` metadata (replaced as a whole, as v4 did); authority as the object ACL |
 * | download | `downloadFile` / `downloadFileStream` | GET (ranges) |
 * | delete | `deleteFile` / `deleteFolder` (refuses a non-empty folder, v4's -173) / `deleteFolderRecursive` | DELETE / Delete Multiple |
 * | create folder | `createFolder` | PUT of an empty `dir/` object |
 * | list (num, context, listover) | `listFolder` (one page), `listFolderStream` | GET Bucket with `prefix=dir/`, `delimiter=/`, `marker` = context |
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { RequestValidationError } from "../Errors.js"
import type { Cos } from "./Cos.js"
import type { CosError, FileError, IntegrityError } from "./CosError.js"
import * as Listing from "./Listing.js"
import * as Objects from "./Objects.js"
import * as Transfer from "./Transfer.js"

/** The metadata header holding v4's `biz_attr`. */
export const BIZ_ATTR = "biz-attr"

/** A folder still has files or folders in it (v4's -173); use `deleteFolderRecursive`. */
export class FolderNotEmptyError extends /*#__PURE__*/ Data.TaggedError("FolderNotEmptyError")<{ readonly bucket: string; readonly path: string; readonly message: string }> {}

type Err = CosError | Objects.CosCallError | RequestValidationError

/** v4 path → key, after v4's rules: absolute, files without and folders with a trailing `/`, never the root. */
const keyOf = (path: string, kind: "file" | "folder", operation: string): Effect.Effect<string, RequestValidationError> => {
  const fail = (problem: string, fix: string) => Effect.fail(RequestValidationError.make({ service: "cos", action: operation, field: "path", problem, fix }))
  if (!path.startsWith("/")) return fail(`${JSON.stringify(path)} does not start with '/'`, "use an absolute path such as /photos/cat.jpg")
  if (path === "/" || /\/\s*\//.test(path)) return fail(`${JSON.stringify(path)} is the root or has an empty segment`, "name a file or folder below the root")
  if (kind === "file" && path.endsWith("/")) return fail(`the file path ${JSON.stringify(path)} ends with '/'`, "remove the trailing '/' (folders end with '/')")
  if (kind === "folder" && !path.endsWith("/")) return fail(`the folder path ${JSON.stringify(path)} does not end with '/'`, "add a trailing '/'")
  return Effect.succeed(path.slice(1))
}

/** What stat says about a file. */
export interface FileStat {
  readonly path: string
  readonly size: number
  readonly etag: string
  readonly crc64: string | undefined
  readonly bizAttr: string | undefined
  readonly contentType: string | undefined
  readonly lastModified: string | undefined
  readonly meta: Readonly<Record<string, string>>
}

const statOf = (path: string, h: Objects.ObjectHead): FileStat => ({
  path,
  size: h.size,
  etag: h.etag,
  crc64: h.crc64,
  bizAttr: h.meta[BIZ_ATTR],
  contentType: h.contentType,
  lastModified: h.lastModified,
  meta: h.meta
})

/** Options of {@link uploadFile}. */
export interface UploadFileInput {
  readonly bucket: string
  /** `/dir/name.ext`. */
  readonly path: string
  /** A local file (multipart above the transfer threshold), or bytes/text. */
  readonly source: { readonly file: string } | { readonly bytes: Uint8Array | string }
  readonly bizAttr?: string | undefined
  /** Fail with `FileAlreadyExists` when the file exists. */
  readonly insertOnly?: boolean | undefined
  readonly contentType?: string | undefined
}

/** Upload a file. */
export const uploadFile = (input: UploadFileInput): Effect.Effect<FileStat, Err | FileError | IntegrityError, Cos> =>
  Effect.gen(function* () {
    const key = yield* keyOf(input.path, "file", "UploadFile")
    const meta = input.bizAttr === undefined ? undefined : { [BIZ_ATTR]: input.bizAttr }
    if ("file" in input.source) {
      // insertOnly is checked up front for multipart uploads (a completion cannot refuse)
      if (input.insertOnly && (yield* Objects.exists({ bucket: input.bucket, key }))) {
        // the server's own FileAlreadyExists (the object is there, so this empty PUT is refused)
        yield* Objects.putObject({ bucket: input.bucket, key, body: "", forbidOverwrite: true })
      }
      yield* Transfer.upload({ bucket: input.bucket, key, file: input.source.file, meta, contentType: input.contentType, forbidOverwrite: input.insertOnly })
    } else {
      yield* Objects.putObject({ bucket: input.bucket, key, body: input.source.bytes, meta, contentType: input.contentType, forbidOverwrite: input.insertOnly })
    }
    return statOf(input.path, yield* Objects.headObject({ bucket: input.bucket, key }))
  })

/** Stat a file (`NoSuchKey` when absent). */
export const statFile = (input: { readonly bucket: string; readonly path: string }): Effect.Effect<FileStat, Err, Cos> =>
  Effect.flatMap(keyOf(input.path, "file", "StatFile"), (key) => Effect.map(Objects.headObject({ bucket: input.bucket, key }), (h) => statOf(input.path, h)))

/** v4's `authority`. */
export type Authority = "eInvalid" | "eWRPrivate" | "eWPrivateRPublic"

/** New attributes; as in v4, the content headers and metadata are replaced as a whole. */
export interface FileAttributes {
  readonly bizAttr?: string | undefined
  readonly authority?: Authority | undefined
  readonly contentType?: string | undefined
  readonly cacheControl?: string | undefined
  readonly contentDisposition?: string | undefined
  readonly contentLanguage?: string | undefined
  readonly contentEncoding?: string | undefined
  /** `x-cos-meta-*` (without the prefix). */
  readonly meta?: Readonly<Record<string, string>> | undefined
}

const update = (bucket: string, key: string, a: FileAttributes) =>
  Effect.gen(function* () {
    const meta = { ...a.meta, ...(a.bizAttr === undefined ? {} : { [BIZ_ATTR]: a.bizAttr }) }
    yield* Objects.copyObject({
      bucket,
      key,
      source: { bucket, key },
      metadataDirective: "Replaced",
      meta,
      contentType: a.contentType,
      cacheControl: a.cacheControl,
      contentDisposition: a.contentDisposition,
      contentLanguage: a.contentLanguage,
      contentEncoding: a.contentEncoding
    })
    if (a.authority !== undefined) {
      yield* Objects.putObjectAcl({ bucket, key, acl: a.authority === "eWRPrivate" ? "private" : a.authority === "eWPrivateRPublic" ? "public-read" : "default" })
    }
  })

/** Update a file's attributes (copy in place with `Replaced` metadata). */
export const updateFile = (input: { readonly bucket: string; readonly path: string } & FileAttributes): Effect.Effect<FileStat, Err | IntegrityError, Cos> =>
  Effect.gen(function* () {
    const key = yield* keyOf(input.path, "file", "UpdateFile")
    yield* update(input.bucket, key, input)
    return statOf(input.path, yield* Objects.headObject({ bucket: input.bucket, key }))
  })

/** Download a file to a local path (concurrent ranges above the threshold, CRC-64 checked), or a range of it. */
export const downloadFile = (input: { readonly bucket: string; readonly path: string; readonly to: string; readonly range?: { readonly start: number; readonly end?: number } | undefined }): Effect.Effect<FileStat, Err | FileError | IntegrityError, Cos> =>
  Effect.gen(function* () {
    const key = yield* keyOf(input.path, "file", "DownloadFile")
    if (input.range !== undefined) return statOf(input.path, yield* Objects.downloadObject({ bucket: input.bucket, key, path: input.to, range: input.range }))
    yield* Transfer.download({ bucket: input.bucket, key, file: input.to })
    return statOf(input.path, yield* Objects.headObject({ bucket: input.bucket, key }))
  })

/** A file's bytes as a `Stream`. */
export const downloadFileStream = (input: { readonly bucket: string; readonly path: string; readonly range?: { readonly start: number; readonly end?: number } | undefined }): Stream.Stream<Uint8Array, Err, Cos> =>
  Stream.unwrap(Effect.map(keyOf(input.path, "file", "DownloadFile"), (key) => Objects.getObjectStream({ bucket: input.bucket, key, range: input.range })))

/** Delete a file. */
export const deleteFile = (input: { readonly bucket: string; readonly path: string }): Effect.Effect<void, Err, Cos> =>
  Effect.flatMap(keyOf(input.path, "file", "DeleteFile"), (key) => Effect.asVoid(Objects.deleteObject({ bucket: input.bucket, key })))

/** Create a folder (an empty `dir/` object); `FileAlreadyExists` when it exists. */
export const createFolder = (input: { readonly bucket: string; readonly path: string; readonly bizAttr?: string | undefined }): Effect.Effect<void, Err | FileError | IntegrityError, Cos> =>
  Effect.flatMap(keyOf(input.path, "folder", "CreateFolder"), (key) =>
    Effect.asVoid(Objects.putObject({ bucket: input.bucket, key, body: new Uint8Array(0), forbidOverwrite: true, meta: input.bizAttr === undefined ? undefined : { [BIZ_ATTR]: input.bizAttr } }))
  )

/** What stat says about a folder; `implicit` when only files under it exist (no `dir/` object). */
export interface FolderStat {
  readonly path: string
  readonly bizAttr: string | undefined
  readonly implicit: boolean
  readonly lastModified: string | undefined
}

/** Stat a folder (`NoSuchKey` when neither the folder object nor anything under it exists). */
export const statFolder = (input: { readonly bucket: string; readonly path: string }): Effect.Effect<FolderStat, Err, Cos> =>
  Effect.flatMap(keyOf(input.path, "folder", "StatFolder"), (key) =>
    Objects.headObject({ bucket: input.bucket, key }).pipe(
      Effect.map((h): FolderStat => ({ path: input.path, bizAttr: h.meta[BIZ_ATTR], implicit: false, lastModified: h.lastModified })),
      Effect.catchIf(
        (e): e is CosError => (e as CosError)._tag === "NoSuchKey",
        (e) =>
          Effect.flatMap(Listing.listObjects({ bucket: input.bucket, prefix: key, maxKeys: 1 }), (page) =>
            page.objects.length > 0 ? Effect.succeed<FolderStat>({ path: input.path, bizAttr: undefined, implicit: true, lastModified: undefined }) : Effect.fail(e)
          )
      )
    )
  )

/** Update a folder's `biz_attr` (the folder object is written again with the new metadata). */
export const updateFolder = (input: { readonly bucket: string; readonly path: string; readonly bizAttr: string }): Effect.Effect<void, Err | FileError | IntegrityError, Cos> =>
  Effect.flatMap(keyOf(input.path, "folder", "UpdateFolder"), (key) =>
    Effect.asVoid(Objects.putObject({ bucket: input.bucket, key, body: new Uint8Array(0), meta: { [BIZ_ATTR]: input.bizAttr } }))
  )

/** One entry of a folder listing. */
export interface FolderEntry {
  /** The name within the folder (`cat.jpg`, `2024/` for a sub-folder). */
  readonly name: string
  readonly path: string
  readonly isFolder: boolean
  readonly size: number
  readonly lastModified: string | undefined
}

/** One page of a folder, v4 style: `context` for the next page, `listover` when there is none. */
export interface FolderPage {
  readonly infos: ReadonlyArray<FolderEntry>
  readonly context: string
  readonly listover: boolean
}

/** List one level of a folder, one page (`num` ≤ 1000, default 199 as v4; `context` from the last page). */
export const listFolder = (input: { readonly bucket: string; readonly path: string; readonly num?: number | undefined; readonly context?: string | undefined; readonly prefix?: string | undefined }): Effect.Effect<FolderPage, Err, Cos> =>
  Effect.gen(function* () {
    const dir = input.path === "/" ? "" : yield* keyOf(input.path, "folder", "ListFolder")
    // the folder's own `dir/` object sorts first: start after it so it neither shows nor takes a slot
    const page = yield* Listing.listObjects({ bucket: input.bucket, prefix: dir + (input.prefix ?? ""), delimiter: "/", marker: input.context || (dir === "" || input.prefix ? undefined : dir), maxKeys: input.num ?? 199 })
    const infos: Array<FolderEntry> = [
      ...page.commonPrefixes.map((p) => ({ name: p.slice(dir.length), path: "/" + p, isFolder: true, size: 0, lastModified: undefined })),
      ...page.objects.filter((o) => o.key !== dir).map((o) => ({ name: o.key.slice(dir.length), path: "/" + o.key, isFolder: o.key.endsWith("/"), size: o.size, lastModified: o.lastModified }))
    ]
    return { infos, context: page.nextMarker ?? "", listover: !page.isTruncated }
  })

/** Every entry of one level of a folder, page after page. */
export const listFolderStream = (input: { readonly bucket: string; readonly path: string; readonly num?: number | undefined; readonly prefix?: string | undefined }): Stream.Stream<FolderEntry, Err, Cos> =>
  Stream.paginateEffect("", (context) => Effect.map(listFolder({ ...input, context }), (p) => [p.infos, p.listover ? Option.none() : Option.some(p.context)] as const)).pipe(
    Stream.flatMap((infos) => Stream.fromIterable(infos))
  )

/** Delete an empty folder; {@link FolderNotEmptyError} when something is in it. */
export const deleteFolder = (input: { readonly bucket: string; readonly path: string }): Effect.Effect<void, Err | FolderNotEmptyError, Cos> =>
  Effect.gen(function* () {
    const key = yield* keyOf(input.path, "folder", "DeleteFolder")
    const page = yield* Listing.listObjects({ bucket: input.bucket, prefix: key, maxKeys: 2 })
    if (page.objects.some((o) => o.key !== key)) {
      return yield* new FolderNotEmptyError({ bucket: input.bucket, path: input.path, message: `the folder ${input.path} in ${input.bucket} is not empty (v4 code -173); delete its contents first, or use deleteFolderRecursive` })
    }
    yield* Objects.deleteObject({ bucket: input.bucket, key })
  })

/** Delete a folder and everything under it (batches of 1000); the number of objects deleted. */
export const deleteFolderRecursive = (input: { readonly bucket: string; readonly path: string }): Effect.Effect<number, Err, Cos> =>
  Effect.gen(function* () {
    const key = yield* keyOf(input.path, "folder", "DeleteFolder")
    return yield* Listing.listObjectsPages({ bucket: input.bucket, prefix: key }).pipe(
      Stream.mapEffect((page) => (page.objects.length === 0 ? Effect.succeed(0) : Effect.map(Objects.deleteObjects({ bucket: input.bucket, keys: page.objects.map((o) => o.key), quiet: true }), () => page.objects.length))),
      Stream.runFold(0, (a, b) => a + b)
    )
  })
