/**
 * The ranged download behind `Transfer.download`: the object's ranges fetched `concurrency` at a
 * time, each pinned to the object's ETag (`If-Match`) and written in place with positional
 * vectored writes of about 1 MB, each range's CRC-64 computed as it arrives and the whole file's
 * CRC-64 (the ranges' combined) checked against the object's. A range cut short is fetched again.
 *
 * Resumable through a log beside the file (`<file>.cos-resume`): a header line naming the object
 * (ETag, size, range size), then one line per finished range (`<n> <crc64>`), appended as each
 * range completes (an append, never a rewrite: cheap, and a torn last line is simply ignored).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import type { Cos } from "../Cos.js"
import { FileError, IntegrityError } from "../CosError.js"
import { type CosCallError, getObjectStreamed, headObject } from "../Objects.js"
import { open } from "./body.js"
import * as Crc64 from "./crc64.js"
import { DEFAULT_PART_SIZE, type Emit, MB, tracker, type TransferResult } from "./progress.js"

/** Options of a download. */
export interface DownloadInput {
  readonly bucket: string
  readonly key: string
  /** The local file (written in place; created if absent). */
  readonly file: string
  /** Range size in bytes (default 8 MB). */
  readonly partSize?: number | undefined
  /** Ranges in flight at once (default 4). */
  readonly concurrency?: number | undefined
  /** Continue from `<file>.cos-resume` when it matches the object (default true). */
  readonly resume?: boolean | undefined
}

interface LogHeader {
  readonly etag: string
  readonly size: number
  readonly partSize: number
}

/** The resume log's path for a file. */
export const logPath = (file: string): string => `${file}.cos-resume`

/** The log's header and finished ranges, if it exists and its header reads. */
const readLog = (path: string): Effect.Effect<{ readonly header: LogHeader; readonly parts: Map<number, string> } | undefined> =>
  Effect.promise(() =>
    fs.promises.readFile(path, "utf8").then(
      (text) => {
        const [first, ...rest] = text.split("\n")
        let header: LogHeader
        try {
          header = JSON.parse(first) as LogHeader
        } catch {
          return undefined
        }
        const parts = new Map<number, string>()
        for (const line of rest) {
          const m = /^(\d+) (\d+)$/.exec(line)
          if (m !== null) parts.set(Number(m[1]), m[2])
        }
        return { header, parts }
      },
      () => undefined
    )
  )

/** Download an object to a file, reporting to `emit`. */
export const run = (input: DownloadInput, emit: Emit): Effect.Effect<TransferResult, CosCallError | FileError | IntegrityError, Cos> =>
  Effect.gen(function* () {
    const head = yield* headObject(input)
    const size = head.size
    const partSize = Math.max(MB, input.partSize ?? DEFAULT_PART_SIZE)
    const count = Math.max(1, Math.ceil(size / partSize))
    const lengthOf = (n: number) => Math.min(partSize, size - (n - 1) * partSize)
    const statePath = logPath(input.file)
    const previous = input.resume === false ? undefined : yield* readLog(statePath)
    const header: LogHeader = { etag: head.etag, size, partSize }
    const usable = previous !== undefined && previous.header.etag === head.etag && previous.header.size === size && previous.header.partSize === partSize && fs.existsSync(input.file)
    const parts = usable ? previous.parts : new Map<number, string>()
    let resumedBytes = 0
    for (const n of parts.keys()) resumedBytes += lengthOf(n)
    yield* emit({ _tag: "Started", total: size, partSize, parts: count, resumedBytes })
    const t = yield* tracker(size, emit)
    t.skip(resumedBytes)
    const fd = yield* open(input.file, usable ? "r+" : "w+")
    yield* Effect.tryPromise({ try: () => fd.truncate(size), catch: (e) => FileError.make(input.file, "resize", e) })
    if (!usable) {
      yield* Effect.tryPromise({ try: () => fs.promises.writeFile(statePath, JSON.stringify(header) + "\n"), catch: (e) => FileError.make(statePath, "write", e) })
    }
    const log = yield* open(statePath, "a")
    const counted = new Map<number, number>()
    const fetchPart = (n: number) =>
      fetchOnce(n).pipe(
        // a range cut short is fetched again from its start (positional writes make that harmless)
        Effect.tapError(() => Effect.sync(() => t.skip(-(counted.get(n) ?? 0)))),
        Effect.retry({ times: 3, while: (e) => (e as { _tag?: string })._tag === "NetworkError" })
      )
    const fetchOnce = (n: number) =>
      Effect.gen(function* () {
        if (parts.has(n) || size === 0) return
        counted.set(n, 0)
        const start = (n - 1) * partSize
        const r = yield* getObjectStreamed({ bucket: input.bucket, key: input.key, range: { start, end: start + lengthOf(n) - 1 }, ifMatch: head.etag || undefined })
        const crc = Crc64.init()
        let pos = start
        // buffers are gathered into positional writes of about 1 MB, each started without waiting
        // for the one before (at most two in flight), so the socket is read while the disk writes
        let batch: Array<Uint8Array> = []
        let batched = 0
        let writing: Promise<unknown> = Promise.resolve()
        const write = (bufs: Array<Uint8Array>, bytes: number, at: number) => async () => {
          const { bytesWritten } = await fd.writev(bufs, at)
          // a short vectored write: the rest in one piece
          if (bytesWritten < bytes) await fd.write(Buffer.concat(bufs).subarray(bytesWritten), 0, bytes - bytesWritten, at + bytesWritten)
        }
        const settle = (p: Promise<unknown>) => Effect.tryPromise({ try: () => p, catch: (e) => FileError.make(input.file, "write", e) })
        const flush = Effect.suspend(() => {
          if (batched === 0) return Effect.void
          const before = writing
          const bytes = batched
          writing = write(batch, bytes, pos)()
          writing.catch(() => undefined) // failures are taken when settled
          batch = []
          batched = 0
          pos += bytes
          counted.set(n, (counted.get(n) ?? 0) + bytes)
          return Effect.zipRight(settle(before), t.add(bytes, n))
        })
        // a chunk of buffers at a time: one Effect step per chunk, not per buffer
        yield* Stream.runForEachChunk(r.body, (chunk) => {
          for (const buf of chunk) {
            Crc64.update(crc, buf)
            batch.push(buf)
            batched += buf.length
          }
          return batched >= MB ? flush : Effect.void
        }).pipe(Effect.ensuring(Effect.promise(() => writing.catch(() => undefined))))
        yield* flush
        yield* settle(writing)
        if (pos - start !== lengthOf(n)) return yield* IntegrityError.make({ what: `the length of range ${n}`, expected: String(lengthOf(n)), actual: String(pos - start), bucket: input.bucket, key: input.key })
        const digest = Crc64.digest(crc).toString()
        parts.set(n, digest)
        yield* Effect.tryPromise({ try: () => log.write(`${n} ${digest}\n`), catch: (e) => FileError.make(statePath, "write", e) })
      }).pipe(Effect.scoped)
    yield* Effect.forEach(Array.from({ length: count }, (_, i) => i + 1), fetchPart, { concurrency: Math.max(1, input.concurrency ?? 4), discard: true })
    let crc: bigint | undefined
    for (let n = 1; n <= count && size > 0; n++) {
      const c = BigInt(parts.get(n)!)
      crc = crc === undefined ? c : Crc64.combine(crc, c, lengthOf(n))
    }
    const local = (crc ?? 0n).toString()
    // finished or proved wrong: either way the log has served
    yield* Effect.promise(() => fs.promises.rm(statePath, { force: true }))
    if (head.crc64 !== undefined && head.crc64 !== local) {
      return yield* IntegrityError.make({ what: "the CRC-64 of the downloaded file", expected: head.crc64, actual: local, bucket: input.bucket, key: input.key })
    }
    return { size, etag: head.etag, crc64: local, parts: count, resumedBytes } satisfies TransferResult
  }).pipe(Effect.scoped)
