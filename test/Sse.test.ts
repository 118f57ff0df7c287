import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as sse from "../src/internal/sse.js"

describe("server-sent events", () => {
  it("joins data lines, reads event/id/retry, ignores comments", () => {
    const events = sse.parseText(": hello\nid: 1\nevent: message\ndata: {\"a\":1}\ndata: second\nretry: 3000\n\ndata: x\n\n")
    expect(events).toEqual([
      { id: "1", event: "message", data: '{"a":1}\nsecond', retry: 3000 },
      { id: undefined, event: undefined, data: "x", retry: undefined }
    ])
  })
  it("delivers a last event without a trailing blank line, and handles CRLF", () => {
    expect(sse.parseText("data: a\r\n\r\ndata: b").map((e) => e.data)).toEqual(["a", "b"])
  })
  it.effect("parses events split across arbitrary byte chunks", () =>
    Effect.gen(function* () {
      const text = "data: 你好\n\ndata: {\"Choices\":[1]}\n\n"
      const bytes = new TextEncoder().encode(text)
      const chunks: Array<Uint8Array> = []
      for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.slice(i, i + 3))
      const out = yield* Stream.runCollect(sse.fromBytes(Stream.fromIterable(chunks)))
      expect(Chunk.toArray(out).map((e) => e.data)).toEqual(["你好", '{"Choices":[1]}'])
    }))
})
