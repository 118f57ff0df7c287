/**
 * Large transfers between a local file and COS, with progress.
 *
 * - `upload`: one PUT below `threshold`, else a multipart upload: the part size chosen for the file
 *   size and the 10,000-part limit, parts read from the file and sent `concurrency` at a time (so at
 *   most `concurrency × partSize` bytes are in memory, whatever the file size), each part's CRC-64
 *   checked against the server's answer (and its MD5 too with `contentMd5`), the whole object's
 *   CRC-64 checked after completion against the parts' CRC-64s combined.
 *   Resumable: an unfinished upload of the same key is found (List Multipart Uploads), its parts
 *   whose size and MD5 match the file are kept (List Parts), the rest are sent. Interrupting the
 *   fiber stops cleanly and leaves the upload resumable (or aborts it with `abortOnInterrupt`).
 * - `download`: ranged GETs `concurrency` at a time, written in place into the file, each range
 *   pinned to the object's ETag (`If-Match`), the CRC-64 of the whole file checked against the
 *   object's. Resumable: finished ranges are logged beside the file (`<file>.cos-resume`) and
 *   skipped next time.
 * - Progress: `uploadWithProgress` / `downloadWithProgress` are `Stream`s of {@link TransferEvent}s
 *   (bytes done, total, rate, part) ending with `Completed`.
 *
 * @example
 * ```ts
 * Transfer.uploadWithProgress({ bucket, key: "backup.tar", file: "/tmp/backup.tar" }).pipe(
 *   Stream.runForEach((e) => e._tag === "Progress" ? Console.log(`${e.transferred}/${e.total}`) : Effect.void))
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import type { Cos } from "./Cos.js"
import { FileError, IntegrityError } from "./CosError.js"
import { fileSize, fileStream, open, readAt } from "./internal/body.js"
import * as Crc64 from "./internal/crc64.js"
import * as Download from "./internal/download.js"
import { DEFAULT_PART_SIZE, type Emit, MB, tracker, type TransferEvent, type TransferResult } from "./internal/progress.js"
import * as Multipart from "./Multipart.js"
import { type CosCallError, type ObjectAttributes, putObject } from "./Objects.js"

/** Default part size (8 MB). */
export { DEFAULT_PART_SIZE }
/** Default size above which transfers go in parts (16 MB). */
export const DEFAULT_THRESHOLD = 16 * MB
/** COS's limits: 10,000 parts of 1 MB to 5 GB. */
export const MAX_PARTS = 10_000

/** The part size for a size: the requested one (at least 1 MB), raised in whole MB to fit 10,000 parts. */
export const choosePartSize = (size: number, requested = DEFAULT_PART_SIZE): number => {
  const min = Math.ceil(size / MAX_PARTS / MB) * MB
  return Math.min(5 * 1024 * MB, Math.max(MB, requested, min))
}

export type { TransferEvent, TransferResult } from "./internal/progress.js"

/** Options of {@link upload}. */
export interface UploadInput extends ObjectAttributes {
  readonly bucket: string
  readonly key: string
  /** The local file. */
  readonly file: string
  /** Part size in bytes (default 8 MB; raised to fit 10,000 parts). */
  readonly partSize?: number | undefined
  /** Parts in flight at once (default 4). */
  readonly concurrency?: number | undefined
  /** Files larger than this go in parts (default 16 MB). */
  readonly threshold?: number | undefined
  /** Continue an unfinished upload of the same key (default true). */
  readonly resume?: boolean | undefined
  /** Abort the multipart upload when the fiber is interrupted (default false: it stays resumable). */
  readonly abortOnInterrupt?: boolean | undefined
  /** Refuse to overwrite an existing object (single PUT only: `x-cos-forbid-overwrite`). */
  readonly forbidOverwrite?: boolean | undefined
  /**
   * Also send each part's MD5 as `Content-MD5` (default false: each part's CRC-64, computed here,
   * is checked against the server's, and the object's CRC-64 against the parts' combined).
   */
  readonly contentMd5?: boolean | undefined
}

const singlePut = (input: UploadInput, size: number, emit: Emit) =>
  Effect.gen(function* () {
    yield* emit({ _tag: "Started", total: size, partSize: size, parts: 1, resumedBytes: 0 })
    const t = yield* tracker(size, emit)
    let crc = Crc64.init()
    const r = yield* putObject({
      ...input,
      verifyCrc64: false,
      body: {
        _tag: "Stream",
        length: size,
        // every attempt hashes afresh
        open: () => {
          crc = Crc64.init()
          return fileStream(input.file).pipe(Stream.tap((c) => Effect.sync(() => Crc64.update(crc, c))))
        }
      }
    })
    yield* t.add(size, 1)
    const local = Crc64.digest(crc).toString()
    if (r.crc64 !== undefined && r.crc64 !== local) return yield* IntegrityError.make({ what: "the CRC-64", expected: local, actual: r.crc64, bucket: input.bucket, key: input.key })
    return { size, etag: r.etag, crc64: r.crc64, parts: 1, resumedBytes: 0 } satisfies TransferResult
  })

/** Find an unfinished upload of the key and its parts. */
const findResumable = (input: UploadInput) =>
  Effect.gen(function* () {
    const uploads = (yield* Multipart.listUploads({ bucket: input.bucket, prefix: input.key })).filter((u) => u.key === input.key)
    const latest = [...uploads].sort((a, b) => (a.initiated < b.initiated ? 1 : -1))[0]
    if (latest === undefined) return undefined
    const parts = yield* Multipart.listParts({ bucket: input.bucket, key: input.key, uploadId: latest.uploadId })
    return { uploadId: latest.uploadId, parts: new Map(parts.map((p) => [p.partNumber, p])) }
  })

const runUpload = (input: UploadInput, emit: Emit): Effect.Effect<TransferResult, CosCallError | FileError | IntegrityError, Cos> =>
  Effect.gen(function* () {
    const size = yield* fileSize(input.file)
    if (size <= (input.threshold ?? DEFAULT_THRESHOLD)) return yield* singlePut(input, size, emit)
    const partSize = choosePartSize(size, input.partSize)
    const count = Math.ceil(size / partSize)
    const found = input.resume === false ? undefined : yield* findResumable(input)
    const uploadId = found?.uploadId ?? (yield* Multipart.initiate(input))
    const remote = found?.parts ?? new Map<number, Multipart.PartInfo>()
    const lengthOf = (n: number) => Math.min(partSize, size - (n - 1) * partSize)
    let resumedBytes = 0
    for (const [n, p] of remote) if (n <= count && p.size === lengthOf(n)) resumedBytes += p.size
    yield* emit({ _tag: "Started", total: size, partSize, parts: count, resumedBytes, uploadId })
    const t = yield* tracker(size, emit)
    const fd = yield* open(input.file, "r")
    // at most `concurrency` part buffers ever exist: each is reused once its part is sent
    const free: Array<Buffer> = []
    const sendPart = (n: number) =>
      Effect.acquireUseRelease(
        Effect.sync(() => free.pop() ?? Buffer.allocUnsafe(partSize)),
        (buf) => sendPartWith(n, buf),
        (buf) => Effect.sync(() => free.push(buf))
      )
    const sendPartWith = (n: number, buf: Buffer) =>
      Effect.gen(function* () {
        const body = yield* readAt(fd, input.file, (n - 1) * partSize, lengthOf(n), buf)
        const have = remote.get(n)
        if (have !== undefined && have.size === body.length && have.etag.replace(/"/g, "") === createHash("md5").update(body).digest("hex")) {
          t.skip(body.length)
          return { ...have, crc64: Crc64.crc64(body).toString() }
        }
        // a part that arrived damaged (its CRC-64 or MD5 differs) is sent again, twice at most
        const part = yield* Multipart.uploadPart({ bucket: input.bucket, key: input.key, uploadId, partNumber: n, body, contentMd5: input.contentMd5 }).pipe(
          Effect.retry({ times: 2, while: (e) => e._tag === "IntegrityError" || e._tag === "BadDigest" })
        )
        yield* t.add(body.length, n)
        return part
      })
    const numbers = Array.from({ length: count }, (_, i) => i + 1)
    const parts = yield* Effect.forEach(numbers, sendPart, { concurrency: Math.max(1, input.concurrency ?? 4) }).pipe(
      Effect.onInterrupt(() => (input.abortOnInterrupt ? Effect.ignore(Multipart.abort({ bucket: input.bucket, key: input.key, uploadId })) : Effect.void))
    )
    const done = yield* Multipart.complete({ bucket: input.bucket, key: input.key, uploadId, parts })
    let crc: bigint | undefined
    for (const p of parts) crc = crc === undefined ? BigInt(p.crc64!) : Crc64.combine(crc, BigInt(p.crc64!), p.size)
    const local = (crc ?? 0n).toString()
    if (done.crc64 !== undefined && done.crc64 !== local) return yield* IntegrityError.make({ what: "the CRC-64 of the completed object", expected: local, actual: done.crc64, bucket: input.bucket, key: input.key })
    return { size, etag: done.etag, crc64: done.crc64 ?? local, parts: count, resumedBytes, uploadId } satisfies TransferResult
  }).pipe(Effect.scoped)

/** Upload a file (multipart above the threshold, resumable). */
export const upload = (input: UploadInput): Effect.Effect<TransferResult, CosCallError | FileError | IntegrityError, Cos> => runUpload(input, () => Effect.void)

/** Options of {@link download}. */
export type DownloadInput = Download.DownloadInput

/** Download an object to a file (ranged, concurrent, resumable, CRC-64 checked). */
export const download = (input: DownloadInput): Effect.Effect<TransferResult, CosCallError | FileError | IntegrityError, Cos> => Download.run(input, () => Effect.void)

/** Run a transfer, its events as a stream ending with `Completed`. */
const withEvents = <E>(run: (emit: Emit) => Effect.Effect<TransferResult, E, Cos>): Stream.Stream<TransferEvent, E, Cos> =>
  Stream.asyncScoped<TransferEvent, E, Cos>(
    (emit) =>
      Effect.forkScoped(
        run((e) => Effect.promise(() => emit.single(e))).pipe(
          Effect.matchCauseEffect({
            onFailure: (cause) => Effect.promise(() => emit.halt(cause)),
            onSuccess: (result) => Effect.promise(() => emit.single({ _tag: "Completed", result }).then(() => emit.end()))
          })
        )
      ),
    { bufferSize: 64 }
  )

/** {@link upload} as a stream of progress events. */
export const uploadWithProgress = (input: UploadInput): Stream.Stream<TransferEvent, CosCallError | FileError | IntegrityError, Cos> =>
  withEvents((emit) => runUpload(input, emit))

/** {@link download} as a stream of progress events. */
export const downloadWithProgress = (input: DownloadInput): Stream.Stream<TransferEvent, CosCallError | FileError | IntegrityError, Cos> =>
  withEvents((emit) => Download.run(input, emit))

/** The result of a finished event stream (for `Stream.runLast`-style use). */
export const resultOf = <E, R>(events: Stream.Stream<TransferEvent, E, R>): Effect.Effect<TransferResult | undefined, E, R> =>
  Stream.runFold(events, undefined as TransferResult | undefined, (acc, e) => (e._tag === "Completed" ? e.result : acc))
