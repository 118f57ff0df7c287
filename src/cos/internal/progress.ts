/**
 * What a transfer reports: its progress events, its result, and the tracker that turns bytes done
 * into `Progress` events with a rate.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

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

/** Where a transfer sends its events. */
export type Emit = (e: TransferEvent) => Effect.Effect<void>

/** Tracks bytes and rate for progress events. */
export const tracker = (total: number, emit: Emit) =>
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

export const MB = 1024 * 1024
/** Default part size (8 MB). */
export const DEFAULT_PART_SIZE = 8 * MB
