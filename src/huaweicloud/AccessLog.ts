/**
 * The access log of Huawei Cloud calls, one line per call as the Huawei SDK writes it:
 * `<time> "<METHOD> <url>" <status> <response bytes> <duration> <X-Request-Id>`. Give the client a
 * sink: {@link toFile} (appends), {@link toStream} (any `{ write(text) }`, e.g. `process.stdout`),
 * or {@link make} with your own function. Secrets never appear: the line holds no header.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"

/** Where access-log lines go. */
export interface AccessLog {
  readonly write: (line: string) => Effect.Effect<void>
}

/** One logged call. */
export interface Entry {
  readonly time: number
  readonly method: string
  readonly url: string
  /** HTTP status, or 0 when no answer came. */
  readonly status: number
  readonly bytes: number
  readonly durationMillis: number
  readonly requestId: string | undefined
}

const duration = (ms: number): string => {
  const s = Math.floor(ms / 1000)
  const micros = Math.round((ms - s * 1000) * 1000)
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}.${String(micros).padStart(6, "0")}`
}

/** Format one entry: `2026-12-01T12:00:00.000Z "GET https://…/v1/…/vpcs" 200 11 0:00:00.543430 <id>`. */
export const format = (e: Entry): string =>
  `${new Date(e.time).toISOString()} "${e.method} ${e.url}" ${e.status} ${e.bytes} ${duration(e.durationMillis)} ${e.requestId ?? "-"}`

/** A sink from a function. */
export const make = (write: (line: string) => Effect.Effect<void>): AccessLog => ({ write })

/** Append lines to a file (created if missing). A failed write is dropped, never fails the call. */
export const toFile = (path: string): AccessLog =>
  make((line) =>
    Effect.promise(() =>
      import("node:fs/promises").then((fs) => fs.appendFile(path, line + "\n", "utf8")).catch(() => undefined)
    ))

/** Write lines to a stream (`process.stdout`, a `Writable`, anything with `write(text)`). */
export const toStream = (stream: { readonly write: (text: string) => unknown }): AccessLog =>
  make((line) => Effect.sync(() => void stream.write(line + "\n")))
