/**
 * Request bodies of object uploads: bytes, text, a `Stream` of known length, or a file (sent as a
 * stream opened again by every attempt, so memory stays flat whatever the size), and the reading
 * of local files in ranges for multipart uploads.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import type { StreamBody } from "../../core/Protocol.js"
import { FileError } from "../CosError.js"

/** A file on the local disk, sent as a stream. */
export interface FileBody {
  readonly _tag: "File"
  readonly path: string
}

/** What an upload sends. */
export type Body = Uint8Array | string | StreamBody | FileBody

/** A file body. */
export const fromFile = (path: string): FileBody => ({ _tag: "File", path })

/** A stream body of exactly `length` bytes (the stream is run again if the request is retried). */
export const fromStream = (length: number, stream: Stream.Stream<Uint8Array, unknown>): StreamBody => ({ _tag: "Stream", length, open: () => stream })

/** Bytes `[start, end)` of a file as a stream of chunks. */
export const fileStream = (path: string, start = 0, end?: number): Stream.Stream<Uint8Array, FileError> =>
  Stream.fromAsyncIterable(
    fs.createReadStream(path, { start, ...(end !== undefined ? { end: end - 1 } : {}), highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
    (e) => FileError.make(path, "read", e)
  )

/** A file's size. */
export const fileSize = (path: string): Effect.Effect<number, FileError> =>
  Effect.tryPromise({ try: () => fs.promises.stat(path).then((s) => s.size), catch: (e) => FileError.make(path, "read", e) })

/** A file body as the engine's stream body (size read once). */
export const resolve = (body: Body): Effect.Effect<Uint8Array | string | StreamBody, FileError> =>
  typeof body === "object" && "_tag" in body && body._tag === "File"
    ? Effect.map(fileSize(body.path), (length): StreamBody => ({ _tag: "Stream", length, open: () => fileStream(body.path) }))
    : Effect.succeed(body as Uint8Array | string | StreamBody)

/** Read `[offset, offset + length)` of an open file into `into` (at least `length` bytes) or a fresh buffer. */
export const readAt = (fd: fs.promises.FileHandle, path: string, offset: number, length: number, into?: Buffer): Effect.Effect<Uint8Array, FileError> =>
  Effect.tryPromise({
    try: async () => {
      const buf = into ?? Buffer.allocUnsafe(length)
      let got = 0
      while (got < length) {
        const { bytesRead } = await fd.read(buf, got, length - got, offset + got)
        if (bytesRead === 0) throw new Error(`the file ended at ${offset + got}, before ${offset + length}`)
        got += bytesRead
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, length)
    },
    catch: (e) => FileError.make(path, "read", e)
  })

/** Open a file for the life of the scope. */
export const open = (path: string, flags: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => fs.promises.open(path, flags), catch: (e) => FileError.make(path, flags.includes("r") && !flags.includes("+") ? "open" : "open for writing", e) }),
    (fd) => Effect.promise(() => fd.close().catch(() => undefined))
  )
