/**
 * A scripted HttpClient for layer-mocked tests: records every request (with its body bytes)
 * and answers from a handler.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Credentials } from "../../src/Credentials.js"

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly bytes: Uint8Array
  readonly signal: AbortSignal
}

export type Answer =
  | { readonly status?: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly fail: unknown }
  | { readonly never: true }

export const jsonAnswer = (response: Record<string, unknown>, status = 200): Answer => ({
  status,
  body: JSON.stringify({ Response: { RequestId: "req-1", ...response } }),
  headers: { "content-type": "application/json" }
})

export const apiError = (code: string, message = "msg", requestId = "req-err"): Answer => ({
  body: JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: requestId } }),
  headers: { "content-type": "application/json" }
})

const bodyBytes = (req: HttpClientRequest.HttpClientRequest): Uint8Array => {
  const b = req.body
  if (b._tag === "Uint8Array") return b.body
  if (b._tag === "Raw" && typeof b.body === "string") return new TextEncoder().encode(b.body)
  return new Uint8Array()
}

export const makeMockHttp = (handler: (req: Recorded, n: number) => Answer) => {
  const recorded: Array<Recorded> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.suspend(() => {
      const bytes = bodyBytes(request)
      const rec: Recorded = {
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
  return { recorded, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

export const SECRET_KEY = "sk-THIS-IS-SECRET-0123456789"
export const TOKEN = "tok-THIS-IS-A-SECRET-TOKEN"

export const staticCredentials = (token = false) =>
  Layer.succeed(Credentials, {
    get: Effect.succeed({
      secretId: "AKIDtest",
      secretKey: Redacted.make(SECRET_KEY),
      token: token ? Redacted.make(TOKEN) : undefined
    })
  })
