/**
 * A server-sent events parser (WHATWG rules): `data` lines joined by `\n`, `event`, `id`,
 * `retry`; comment lines (`:`) ignored; a blank line dispatches; a final event without a trailing
 * blank line is still delivered.
 *
 * A stream that stalls after its headers is ended by an idle timeout between events
 * ({@link DEFAULT_IDLE_TIMEOUT_MILLIS} unless configured): comments and partial lines do not
 * count as events, so a server that only sends keep-alive comments for that long is idle too.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as Take from "effect/Take"
import type { ServerSentEvent } from "../core/Call.js"

interface Pending {
  data: Array<string>
  event?: string | undefined
  id?: string | undefined
  retry?: number | undefined
}

/** Feed lines; returns the events completed by them. Pure apart from the pending state. */
export const makeParser = () => {
  let p: Pending = { data: [] }
  let seen = false
  const dispatch = (out: Array<ServerSentEvent>) => {
    if (seen && (p.data.length > 0 || p.event !== undefined)) {
      out.push({ data: p.data.join("\n"), event: p.event, id: p.id, retry: p.retry })
    }
    p = { data: [] }
    seen = false
  }
  return {
    line(line: string, out: Array<ServerSentEvent>) {
      if (line === "") return dispatch(out)
      if (line.charCodeAt(0) === 58 /* : */) return
      const i = line.indexOf(":")
      const field = i < 0 ? line : line.slice(0, i)
      let value = i < 0 ? "" : line.slice(i + 1)
      if (value.charCodeAt(0) === 32) value = value.slice(1)
      seen = true
      switch (field) {
        case "data":
          p.data.push(value)
          break
        case "event":
          p.event = value
          break
        case "id":
          p.id = value
          break
        case "retry": {
          const n = Number(value)
          if (/^\d+$/.test(value)) p.retry = n
          break
        }
      }
    },
    end(out: Array<ServerSentEvent>) {
      dispatch(out)
    }
  }
}

/** Parse a whole SSE text (tests and small bodies). */
export const parseText = (text: string): Array<ServerSentEvent> => {
  const parser = makeParser()
  const out: Array<ServerSentEvent> = []
  for (const l of text.split(/\r\n|\r|\n/)) parser.line(l, out)
  parser.end(out)
  return out
}

/** Default idle timeout between two events of a stream: 2 minutes (generous: model streams pause seconds). */
export const DEFAULT_IDLE_TIMEOUT_MILLIS = 120_000

/** How long a stream may go without an event, and the error that ends it then. */
export interface IdleTimeout<E2> {
  readonly millis: number
  readonly onIdle: (millis: number) => E2
}

/**
 * End an event stream with `onIdle(millis)` when no event arrives for `millis` (measured from
 * the start, then from each event). Time is the `Clock`'s, so `TestClock` drives it.
 */
export const withIdleTimeout = <E, R, E2>(
  events: Stream.Stream<ServerSentEvent, E, R>,
  idle: IdleTimeout<E2>
): Stream.Stream<ServerSentEvent, E | E2, R> => {
  if (!Number.isFinite(idle.millis) || idle.millis <= 0) return events
  // The events are pulled by a fiber of their own into a queue, and the caller waits on the queue
  // with the timeout. Timing out the upstream pull itself would wait for the upstream to stop,
  // and a body stalled in a read (an async iterator awaiting a promise) may never stop.
  return Stream.unwrap(
    Effect.gen(function* () {
      const queue = yield* Queue.bounded<Take.Take<ServerSentEvent, E>>(16)
      // rechunk: a chunk of bytes that completes no event (a comment, half a line) is not an event
      const producer = yield* Effect.forkDaemon(Stream.runIntoQueue(Stream.rechunk(events, 1), queue))
      const next: Effect.Effect<Chunk.Chunk<ServerSentEvent>, Option.Option<E | E2>> = Queue.take(queue).pipe(
        Effect.timeoutFail({ duration: Duration.millis(idle.millis), onTimeout: () => Option.some<E | E2>(idle.onIdle(idle.millis)) }),
        Effect.flatMap((take) => Take.done(take))
      )
      return Stream.repeatEffectChunkOption(next).pipe(Stream.ensuring(Fiber.interruptFork(producer)))
    })
  )
}

/** Turn a byte stream into a stream of events; with `idle`, a stall between events ends it (see {@link withIdleTimeout}). */
export const fromBytes = <E, R, E2 = never>(
  bytes: Stream.Stream<Uint8Array, E, R>,
  idle?: IdleTimeout<E2>
): Stream.Stream<ServerSentEvent, E | E2, R> =>
  idle === undefined ? parseBytes(bytes) : withIdleTimeout(parseBytes(bytes), idle)

const parseBytes = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<ServerSentEvent, E, R> =>
  Stream.suspend(() => {
    const parser = makeParser()
    return bytes.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.mapConcat((line) => {
        const out: Array<ServerSentEvent> = []
        parser.line(line, out)
        return out
      }),
      Stream.concat(
        Stream.suspend(() => {
          const out: Array<ServerSentEvent> = []
          parser.end(out)
          return Stream.fromIterable(out)
        })
      )
    )
  })
