/**
 * The transport's fast lane: a transport that can send a whole exchange in one promise (the Node
 * undici transport) puts a {@link FastSend} on its `HttpClient` under {@link FastLane}. The engine
 * then sends without building a platform request, forking a timeout fiber or reading the body
 * through an Effect: the request is sent, the body read within the size cap by the transport, and
 * the timeout enforced by aborting the request. Any other `HttpClient` (fetch, a mock, a wrapped client) goes
 * through `@effect/platform`'s `execute`, with `Effect.timeoutFail`, unchanged in behaviour.
 *
 * @internal
 */

/** The property under which a transport offers its fast lane. */
export const FastLane: unique symbol = Symbol.for("effect-tencentcloud/FastLane") as never

/** One exchange for the fast lane. */
export interface FastRequest {
  readonly method: string
  /** The URL to connect to (scheme, address, path and query). */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | undefined
  /** Abort and reject with {@link FastTooLarge} when the body grows beyond it. */
  readonly maxBytes: number
  readonly signal: FastSignal
}

/**
 * The abort signal of one exchange: the part of `AbortSignal` an HTTP client listens to (undici
 * accepts it), without the cost of an `EventTarget` per request. {@link abortable} makes one.
 */
export interface FastSignal {
  readonly aborted: boolean
  readonly reason: unknown
  addEventListener(type: "abort", listener: () => void, options?: unknown): void
  removeEventListener(type: "abort", listener: () => void): void
}

/** A signal and the function that aborts it (listeners are called once). */
export const abortable = (): { readonly signal: FastSignal; readonly abort: () => void } => {
  let listeners: Array<() => void> | undefined
  const signal = {
    aborted: false,
    reason: undefined as unknown,
    addEventListener(_type: "abort", listener: () => void) {
      if (signal.aborted) return
      ;(listeners ??= []).push(listener)
    },
    removeEventListener(_type: "abort", listener: () => void) {
      if (listeners !== undefined) listeners = listeners.filter((l) => l !== listener)
    }
  }
  return {
    signal,
    abort: () => {
      if (signal.aborted) return
      signal.aborted = true
      signal.reason = new DOMException("This operation was aborted", "AbortError")
      const ls = listeners
      listeners = undefined
      if (ls !== undefined) for (const l of ls) l()
    }
  }
}

/** The answer of the fast lane, its body read as UTF-8 text. */
export interface FastResponse {
  readonly status: number
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * The rejection for an answer over `maxBytes`; anything else is a transport failure (mapped by its
 * `code`). The engine enforces the timeout itself, by aborting `signal`.
 */
export class FastTooLarge {
  readonly _tag = "FastTooLarge"
}

/** The connection broke after the answer's head arrived (while reading the body): never "before send". */
export class FastBroken {
  readonly _tag = "FastBroken"
  constructor(readonly cause: unknown) {}
}

/** Send one exchange. */
export type FastSend = (request: FastRequest) => Promise<FastResponse>

/** The fast lane of a client, if it has one. */
export const fastLaneOf = (client: unknown): FastSend | undefined =>
  typeof client === "object" && client !== null && FastLane in client ? ((client as any)[FastLane] as FastSend) : undefined
