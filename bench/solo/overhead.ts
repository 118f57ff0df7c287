// The entry of bench/overhead.ts: clients over a fake transport, alternating slices in one process.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as HttpClient from "@effect/platform/HttpClient"
import { readFileSync } from "node:fs"
import * as Client from "../../src/Client.js"
import * as Credentials from "../../src/Credentials.js"
import { FastLane, type FastRequest, type FastResponse } from "../../src/core/fastLane.js"
import { describeInstances } from "../../src/generated/cvm/v20170312.js"
import { makeRawSigner } from "../raw.js"

const body = readFileSync(process.env.OVERHEAD_FIXTURE!, "utf8")
const answer = (): FastResponse => ({ status: 200, headers: { "content-type": "application/json", "content-length": String(body.length) }, body })
// a transport whose fast lane answers at once; its general lane is never taken
const http = Object.assign(HttpClient.make(() => Effect.die("the general lane is not used here")), {
  [FastLane]: (_r: FastRequest): Promise<FastResponse> => Promise.resolve(answer())
})
const live = Client.layer({ endpoint: "https://cvm.tencentcloudapi.com", region: "ap-guangzhou", breaker: true }).pipe(
  Layer.provide(Credentials.layerStatic({ secretId: "AKIDEXAMPLE", secretKey: Redacted.make("secretEXAMPLE") })),
  Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
)
const rt = ManagedRuntime.make(live)
await rt.runPromise(Effect.void)
const signer = makeRawSigner("AKIDEXAMPLE", "secretEXAMPLE", "cvm")

const clients: Record<string, (p: Record<string, unknown>) => Promise<unknown>> = {
  ours: (p) => rt.runPromise(describeInstances(p)),
  // the floor of one runPromise around the raw client's work
  "raw in runPromise": (p) => rt.runPromise(Effect.promise(() => rawCall(p))),
  raw: (p) => rawCall(p)
}
async function rawCall(p: Record<string, unknown>) {
  const b = JSON.stringify(p)
  const headers = signer.sign("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", b, Math.floor(Date.now() / 1000))
  const res = await Promise.resolve(answer())
  void headers
  const resp = JSON.parse(res.body).Response
  if (resp.Error) throw new Error(resp.Error.Code)
  return resp
}

const concurrency = Number(process.env.OVERHEAD_CONCURRENCY ?? 64)
const slice = async (call: (p: Record<string, unknown>) => Promise<unknown>, ms: number) => {
  let calls = 0
  const deadline = performance.now() + ms
  const cpu0 = process.cpuUsage()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await call({ Limit: 1 })
      calls++
    }
  }))
  const c = process.cpuUsage(cpu0)
  return (c.user + c.system) / calls
}

const only = process.env.OVERHEAD_ONLY
const ms = Number(process.env.OVERHEAD_MS ?? 400)
if (only !== undefined) {
  await slice(clients[only], 1000)
  const us = await slice(clients[only], ms * Number(process.env.OVERHEAD_ROUNDS ?? 8))
  process.stdout.write(`${only}: ${us.toFixed(1)} µs CPU/call\n`)
} else {
  const names = Object.keys(clients)
  for (const n of names) await slice(clients[n], 500)
  const per: Record<string, Array<number>> = Object.fromEntries(names.map((n) => [n, []]))
  const rounds = Number(process.env.OVERHEAD_ROUNDS ?? 8)
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length])
    for (const n of order) per[n].push(await slice(clients[n], ms))
  }
  const med = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  for (const n of names) process.stdout.write(`${n.padEnd(20)} ${med(per[n]).toFixed(1).padStart(8)} µs CPU/call\n`)
  const ratio = (a: string, b: string) => med(per[a].map((x, i) => x / per[b][i])).toFixed(2)
  process.stdout.write(`ours/raw ${ratio("ours", "raw")}; ours/(raw in runPromise) ${ratio("ours", "raw in runPromise")}; concurrency ${concurrency}\n`)
}
process.exit(0)
