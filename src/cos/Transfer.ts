/**
 * Large transfers between a local file and COS, with progress.
 *
 * - `upload`: one PUT below `threshold`, else a multipart upload: the part size chosen for the file
 *   size and the 10,000-part limit, parts read from the file and sent `concurrency` at a time (so at
 *   most `concurrency × partSize` bytes are in memory, whatever the file size), each part's MD5 and
 *   MD5 checked against the server's answer (`Content-MD5` and the ETag), the whole object's CRC-64
 *   checked after completion against the parts' CRC-64s combined.
 *   Resumable: an unfinished upload of the same key is found (List Multipart Uploads), its parts
 *   whose size and MD5 match the file are kept (List Parts), the rest are sent. Interrupting the
 *   fiber stops cleanly and leaves the upload resumable (or aborts it with `abortOnInterrupt`).
 * - `download`: ranged GETs `concurrency` at a time, written in place into the file, each range
 *   pinned to the object's ETag (`If-Match`), the CRC-64 of the whole file checked against the
 *   object's. Resumable: finished ranges are recorded beside the file (`<file>.cos-resume.json`)
 *   and skipped next time.
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
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import type { Cos } from "./Cos.js"
import { FileError, IntegrityError } from "./CosError.js"
import { fileSize, fileStream, open, readAt } from "./internal/body.js"
import * as Crc64 from "./internal/crc64.js"
import * as Multipart from "./Multipart.js"
import { type CosCallError, getObjectStreamed, headObject, type ObjectAttributes, putObject } from "./Objects.js"

const MB = 1024 * 1024
/** Default part size (8 MB). */
export const DEFAULT_PART_SIZE = 8 * MB
/** Default size above which transfers go in parts (16 MB). */
export const DEFAULT_THRESHOLD = 16 * MB
/** COS's limits: 10,000 parts of 1 MB to 5 GB. */
export const MAX_PARTS = 10_000

/** The part size for a size: the requested one (at least 1 MB), raised in whole MB to fit 10,000 parts. */
export const choosePartSize = (size: number, requested = DEFAULT_PART_SIZE): number => {
  const min = Math.ceil(size / MAX_PARTS / MB) * MB
  return Math.min(5 * 1024 * MB, Math.max(MB, requested, min))
}

/** A transfer's progress. */
export type TransferEvent =
  | { readonly _tag: "Started"; readonly total: number; readonly partSize: number; readonly parts: number; readonly resumedBytes: number; readonly uploadId?: string | undefined }
  | { readonly _tag: "Progress"; readonly transferred: number; readonly total: number; readonly bytesPerSecond: number; readonly part: number; readonly elapsedMillis: number }
  | { readonly _tag: "Completed"; readonly result: TransferResult }

/** What a finished transfer reports. */
export interface TransferResult {
  readonly size: number
  readonly etag: string
  /** CRC-64 of the object (decimal), checked against the local bytes. */
  readonly crc64: string | undefined
  readonly parts: number
  /** Bytes that were already there (resumed) and not sent again. */
  readonly resumedBytes: number
  readonly uploadId?: string | undefined
}

type Emit = (e: TransferEvent) => Effect.Effect<void>

/** Tracks bytes and rate for progress events. */
const tracker = (total: number, emit: Emit) =>
  Effect.map(Clock.currentTimeMillis, (t0) => {
    let done = 0
    return {
      add: (bytes: number, part: number) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          done += bytes
          const elapsed = Math.max(1, now - t0)
          return emit({ _tag: "Progress", transferred: done, total, bytesPerSecond: Math.round((done * 1000) / elapsed), part, elapsedMillis: elapsed })
        }),
      skip: (bytes: number) => {
        done += bytes
      }
    }
  })

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
   * Also compute each part's CRC-64 locally (default false: each part is proved intact by its MD5,
   * and the object's CRC-64 is checked against the parts' CRC-64s as the server reported them).
   */
  readonly localCrc64?: boolean | undefined
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
        const part = yield* Multipart.uploadPart({ bucket: input.bucket, key: input.key, uploadId, partNumber: n, body, localCrc64: input.localCrc64 ?? false })
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
export interface DownloadInput {
  readonly bucket: string
  readonly key: string
  /** The local file (written in place; created if absent). */
  readonly file: string
  /** Range size in bytes (default 8 MB). */
  readonly partSize?: number | undefined
  /** Ranges in flight at once (default 4). */
  readonly concurrency?: number | undefined
  /** Continue from `<file>.cos-resume.json` when it matches the object (default true). */
  readonly resume?: boolean | undefined
}

interface ResumeState {
  readonly etag: string
  readonly size: number
  readonly partSize: number
  readonly parts: Record<string, string>
}

const readState = (path: string): Effect.Effect<ResumeState | undefined> =>
  Effect.promise(() => fs.promises.readFile(path, "utf8").then((t) => JSON.parse(t) as ResumeState, () => undefined))

const runDownload = (input: DownloadInput, emit: Emit): Effect.Effect<TransferResult, CosCallError | FileError | IntegrityError, Cos> =>
  Effect.gen(function* () {
    const head = yield* headObject(input)
    const size = head.size
    const partSize = Math.max(MB, input.partSize ?? DEFAULT_PART_SIZE)
    const count = Math.max(1, Math.ceil(size / partSize))
    const statePath = `${input.file}.cos-resume.json`
    const previous = input.resume === false ? undefined : yield* readState(statePath)
    const usable = previous !== undefined && previous.etag === head.etag && previous.size === size && previous.partSize === partSize && fs.existsSync(input.file)
    const state: ResumeState = usable ? previous : { etag: head.etag, size, partSize, parts: {} }
    let resumedBytes = 0
    const lengthOf = (n: number) => Math.min(partSize, size - (n - 1) * partSize)
    for (const n of Object.keys(state.parts)) resumedBytes += lengthOf(Number(n))
    yield* emit({ _tag: "Started", total: size, partSize, parts: count, resumedBytes })
    const t = yield* tracker(size, emit)
    t.skip(resumedBytes)
    const fd = yield* open(input.file, usable ? "r+" : "w+")
    yield* Effect.tryPromise({ try: () => fd.truncate(size), catch: (e) => FileError.make(input.file, "resize", e) })
    const saving = yield* Effect.makeSemaphore(1)
    const save = saving.withPermits(1)(
      Effect.tryPromise({ try: () => fs.promises.writeFile(statePath, JSON.stringify(state)), catch: (e) => FileError.make(statePath, "write", e) })
    )
    const counted = new Map<number, number>()
    const fetchPart = (n: number) =>
      fetchOnce(n).pipe(
        // a range cut short is fetched again from its start (positional writes make that harmless)
        Effect.tapError(() => Effect.sync(() => t.skip(-(counted.get(n) ?? 0)))),
        Effect.retry({ times: 3, while: (e) => (e as { _tag?: string; reason?: string })._tag === "NetworkError" })
      )
    const fetchOnce = (n: number) =>
      Effect.gen(function* () {
        if (state.parts[n] !== undefined || size === 0) return
        counted.set(n, 0)
        const start = (n - 1) * partSize
        const r = yield* getObjectStreamed({ bucket: input.bucket, key: input.key, range: { start, end: start + lengthOf(n) - 1 }, ifMatch: head.etag || undefined })
        const crc = Crc64.init()
        let pos = start
        // chunks are gathered into writes of about 1 MB (one positional write and one progress event each)
        let batch: Array<Uint8Array> = []
        let batched = 0
        const flush = Effect.suspend(() => {
          if (batched === 0) return Effect.void
          const bufs = batch
          const bytes = batched
          const at = pos
          batch = []
          batched = 0
          pos += bytes
          return Effect.flatMap(
            Effect.tryPromise({
              try: async () => {
                const { bytesWritten } = await fd.writev(bufs, at)
                // a short vectored write: the rest in one piece
                if (bytesWritten < bytes) await fd.write(Buffer.concat(bufs).subarray(bytesWritten), 0, bytes - bytesWritten, at + bytesWritten)
              },
              catch: (e) => FileError.make(input.file, "write", e)
            }),
            () => {
              counted.set(n, (counted.get(n) ?? 0) + bytes)
              return t.add(bytes, n)
            }
          )
        })
        yield* Stream.runForEach(r.body, (chunk) => {
          Crc64.update(crc, chunk)
          batch.push(chunk)
          batched += chunk.length
          return batched >= MB ? flush : Effect.void
        })
        yield* flush
        if (pos - start !== lengthOf(n)) return yield* IntegrityError.make({ what: `the length of range ${n}`, expected: String(lengthOf(n)), actual: String(pos - start), bucket: input.bucket, key: input.key })
        state.parts[n] = Crc64.digest(crc).toString()
        yield* save
      }).pipe(Effect.scoped)
    yield* Effect.forEach(Array.from({ length: count }, (_, i) => i + 1), fetchPart, { concurrency: Math.max(1, input.concurrency ?? 4), discard: true })
    let crc: bigint | undefined
    for (let n = 1; n <= count && size > 0; n++) {
      const c = BigInt(state.parts[n])
      crc = crc === undefined ? c : Crc64.combine(crc, c, lengthOf(n))
    }
    const local = (crc ?? 0n).toString()
    if (head.crc64 !== undefined && head.crc64 !== local) {
      yield* Effect.promise(() => fs.promises.rm(statePath, { force: true }))
      return yield* IntegrityError.make({ what: "the CRC-64 of the downloaded file", expected: head.crc64, actual: local, bucket: input.bucket, key: input.key })
    }
    yield* Effect.promise(() => fs.promises.rm(statePath, { force: true }))
    return { size, etag: head.etag, crc64: local, parts: count, resumedBytes } satisfies TransferResult
  }).pipe(Effect.scoped)

/** Download an object to a file (ranged, concurrent, resumable, CRC-64 checked). */
export const download = (input: DownloadInput): Effect.Effect<TransferResult, CosCallError | FileError | IntegrityError, Cos> => runDownload(input, () => Effect.void)

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
  withEvents((emit) => runDownload(input, emit))

/** The result of a finished event stream (for `Stream.runLast`-style use). */
export const resultOf = <E, R>(events: Stream.Stream<TransferEvent, E, R>): Effect.Effect<TransferResult | undefined, E, R> =>
  Stream.runFold(events, undefined as TransferResult | undefined, (acc, e) => (e._tag === "Completed" ? e.result : acc))
