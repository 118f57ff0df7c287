/**
 * A scripted `HttpClient` for tests (public as `Testing.mockHttpClient`): records every request
 * with its body and answers from a handler, so a test can assert exactly what was sent and decide
 * what comes back (an answer, a transport failure, or no answer at all).
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/** A request the mock received. */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  /** The body as UTF-8 text. */
  readonly body: string
  readonly bytes: Uint8Array
  /** Aborted when the caller gives up (timeout, interruption). */
  readonly signal: AbortSignal
}

/** What the mock answers: a response, a transport failure (`fail`: the cause), or nothing ever. */
export type MockAnswer =
  | { readonly status?: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: unknown }
  | { readonly never: true }

/** A mock client, its layer and what it received. */
export interface MockHttpClient {
  readonly client: HttpClient.HttpClient
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  readonly recorded: ReadonlyArray<RecordedRequest>
}

const bodyBytes = (req: HttpClientRequest.HttpClientRequest): Uint8Array => {
  const b = req.body
  if (b._tag === "Uint8Array") return b.body
  if (b._tag === "Raw" && typeof b.body === "string") return new TextEncoder().encode(b.body)
  return new Uint8Array()
}

/** Build a mock; `handler` gets each request and its 1-based number. */
export const make = (handler: (request: RecordedRequest, n: number) => MockAnswer): MockHttpClient => {
  const recorded: Array<RecordedRequest> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.suspend(() => {
      const bytes = bodyBytes(request)
      const rec: RecordedRequest = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body: new TextDecoder().decode(bytes),
        bytes,
        signal
      }
      recorded.push(rec)
      const a = handler(rec, recorded.length)
      if ("never" in a) return Effect.never
      if ("fail" in a) return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: a.fail }))
      return Effect.succeed(
        HttpClientResponse.fromWeb(request, new Response(a.body, { status: a.status ?? 200, headers: a.headers ?? { "content-type": "application/json" } }))
      )
    })
  )
  return { client, recorded, layer: Layer.succeed(HttpClient.HttpClient, client) }
}
