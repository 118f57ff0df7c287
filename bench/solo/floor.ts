// The floor of any Effect client, alone: cold start, memory and bundle (see harness.ts). One
// `Effect.async` per call, run through a `ManagedRuntime` as our program is, around the least a Node
// client does: raw's signer (bench/rawSigner.ts), node:http with a keep-alive agent (built into node,
// nothing to load or compile at start, as the official SDK's transport) and `JSON.parse`. What it costs
// above the official SDK is what effect itself costs before any SDK code runs.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as http from "node:http"
import { makeRawSigner } from "../rawSigner.js"
import { port, runSolo } from "./harness.js"

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 })
const signer = makeRawSigner("AKIDEXAMPLE", "secretEXAMPLE", "cvm")
const host = `127.0.0.1:${port()}`
const runtime = ManagedRuntime.make(Layer.empty)

const call = (params: Record<string, unknown>) =>
  Effect.async<unknown, Error>((resume) => {
    const body = JSON.stringify(params)
    const headers = signer.sign(host, "DescribeInstances", "2017-03-12", "ap-guangzhou", body, Math.floor(Date.now() / 1000))
    const req = http.request({ host: "127.0.0.1", port: port(), path: "/", method: "POST", agent, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")).Response
        resume(answer.Error ? Effect.fail(new Error(answer.Error.Code)) : Effect.succeed(answer))
      })
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end(body)
  })

await runSolo((params) => runtime.runPromise(call(params)))
