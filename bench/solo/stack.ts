// The floor of any client on this project's stack, alone: cold start, memory and bundle (see
// harness.ts). floor.ts (effect's runtime around node:http, raw's signer and JSON.parse) plus the two
// modules the stack prescribes for every call: the answer checked by an `effect/Schema` decode and the
// exchange made through `@effect/platform`'s `HttpClient` (an `HttpClient.make` over the same node:http
// request, so no transport cost is added). What it costs above floor.ts is what those modules cost to
// load and run before any SDK code.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as http from "node:http"
import { makeRawSigner } from "../rawSigner.js"
import { port, runSolo } from "./harness.js"

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 })
const signer = makeRawSigner("AKIDEXAMPLE", "secretEXAMPLE", "cvm")
const host = `127.0.0.1:${port()}`
const decoder = new TextDecoder()

const client = HttpClient.make((request) =>
  Effect.async<HttpClientResponse.HttpClientResponse>((resume) => {
    const body = request.body._tag === "Uint8Array" ? request.body.body : new Uint8Array()
    const headers = signer.sign(host, "DescribeInstances", "2017-03-12", "ap-guangzhou", decoder.decode(body), Math.floor(Date.now() / 1000))
    const req = http.request({ host: "127.0.0.1", port: port(), path: "/", method: "POST", agent, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resume(Effect.succeed(HttpClientResponse.fromWeb(request, new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })))))
    })
    req.end(body)
  })
)

const Answer = Schema.Struct({
  Response: Schema.Struct({ TotalCount: Schema.Number, InstanceSet: Schema.Array(Schema.Unknown), RequestId: Schema.String })
})
const decode = Schema.decodeUnknown(Answer)
const runtime = ManagedRuntime.make(Layer.succeed(HttpClient.HttpClient, client))

const call = (params: Record<string, unknown>) =>
  Effect.flatMap(HttpClient.HttpClient, (h) => h.execute(HttpClientRequest.bodyUnsafeJson(HttpClientRequest.post(`http://${host}/`), params))).pipe(
    Effect.flatMap((res) => res.json),
    Effect.flatMap(decode)
  )

await runSolo((params) => runtime.runPromise(call(params)))
