/**
 * A scripted HttpClient for layer-mocked tests: records every request (with its body bytes)
 * and answers from a handler.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { Credentials } from "../../src/Credentials.js"
import * as MockHttp from "../../src/internal/mockHttp.js"

export type Recorded = MockHttp.RecordedRequest
export type Answer = MockHttp.MockAnswer

export const jsonAnswer = (response: Record<string, unknown>, status = 200): Answer => ({
  status,
  body: JSON.stringify({ Response: { RequestId: "req-1", ...response } }),
  headers: { "content-type": "application/json" }
})

export const apiError = (code: string, message = "msg", requestId = "req-err"): Answer => ({
  body: JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: requestId } }),
  headers: { "content-type": "application/json" }
})

/** The public `Testing.mockHttpClient`, as the tests have always called it. */
export const makeMockHttp = (handler: (req: Recorded, n: number) => Answer) => {
  const m = MockHttp.make(handler)
  return { recorded: m.recorded as Array<Recorded>, layer: m.layer }
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
