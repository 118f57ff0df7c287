/**
 * A server-sent events parser (WHATWG rules): `data` lines joined by `\n`, `event`, `id`,
 * `retry`; comment lines (`:`) ignored; a blank line dispatches; a final event without a trailing
 * blank line is still delivered.
 *
 * @internal
 */
import * as Stream from "effect/Stream"
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

/** Turn a byte stream into a stream of events. */
export const fromBytes = <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<ServerSentEvent, E, R> =>
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
