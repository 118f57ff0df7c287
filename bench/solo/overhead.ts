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
// OVERHEAD_HOP=1: answers come after a macrotask (as a socket's would), so 64 calls interleave
const hop = process.env.OVERHEAD_HOP === "1"
const later = <A>(f: () => A): Promise<A> => (hop ? new Promise((r) => setImmediate(() => r(f()))) : Promise.resolve(f()))
const answer = (): FastResponse => ({ status: 200, headers: { "content-type": "application/json", "content-length": String(body.length) }, body })
// a transport whose fast lane answers at once; its general lane is never taken
const http = Object.assign(HttpClient.make(() => Effect.die("the general lane is not used here")), {
  [FastLane]: (_r: FastRequest): Promise<FastResponse> => later(answer)
})
const live = Client.layer({ endpoint: "https://cvm.tencentcloudapi.com", region: "ap-guangzhou", breaker: true }).pipe(
  Layer.provide(Credentials.layerStatic({ secretId: "AKIDEXAMPLE", secretKey: Redacted.make("secretEXAMPLE") })),
  Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
)
const rt = ManagedRuntime.make(live)
await rt.runPromise(Effect.void)
const signer = makeRawSigner("AKIDEXAMPLE", "secretEXAMPLE", "cvm")

const liveNoBreaker = Client.layer({ endpoint: "https://cvm.tencentcloudapi.com", region: "ap-guangzhou" }).pipe(
  Layer.provide(Credentials.layerStatic({ secretId: "AKIDEXAMPLE", secretKey: Redacted.make("secretEXAMPLE") })),
  Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
)
const rt2 = ManagedRuntime.make(liveNoBreaker)
await rt2.runPromise(Effect.void)
const clients: Record<string, (p: Record<string, unknown>) => Promise<unknown>> = {
  ours: (p) => rt.runPromise(describeInstances(p)),
  ...(process.env.OVERHEAD_VARIANTS === "1" ? {
    "ours, no breaker": (p: Record<string, unknown>) => rt2.runPromise(describeInstances(p)),
    "ours, Client.call": (p: Record<string, unknown>) => rt2.runPromise(Client.call("cvm", "2017-03-12", "DescribeInstances", p)),
    "in runPromise: Effect.void": () => rt.runPromise(Effect.void)
  } : {}),
  // the floor of one runPromise around the raw client's work
  "raw in runPromise": (p) => rt.runPromise(Effect.promise(() => rawCall(p))),
  raw: (p) => rawCall(p)
}
async function rawCall(p: Record<string, unknown>) {
  const b = JSON.stringify(p)
  const headers = signer.sign("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", "ap-guangzhou", b, Math.floor(Date.now() / 1000))
  const res = await later(answer)
  void headers
  const resp = JSON.parse(res.body).Response
  if (resp.Error) throw new Error(resp.Error.Code)
  return resp
}

const concurrency = Number(process.env.OVERHEAD_CONCURRENCY ?? 64)
// the same calls driven by fibers in one runPromise (an Effect program's calls): no fiber per call
const fiberDriven = new Map<(p: Record<string, unknown>) => Promise<unknown>, (p: Record<string, unknown>) => Effect.Effect<unknown, unknown, any>>()
if (process.env.OVERHEAD_FIBERS === "1") {
  const oursFibers = (p: Record<string, unknown>) => Promise.resolve(p)
  fiberDriven.set(oursFibers, (p) => describeInstances(p))
  clients["ours, fibers"] = oursFibers
  const rawFibers = (p: Record<string, unknown>) => Promise.resolve(p)
  fiberDriven.set(rawFibers, (p) => Effect.async<unknown>((resume) => { rawCall(p).then((a) => resume(Effect.succeed(a))) }))
  clients["raw in fibers"] = rawFibers
}
const slice = async (call: (p: Record<string, unknown>) => Promise<unknown>, ms: number) => {
  let calls = 0
  const deadline = performance.now() + ms
  const cpu0 = process.cpuUsage()
  const driven = fiberDriven.get(call)
  if (driven !== undefined) {
    const loop: Effect.Effect<void, unknown, any> = Effect.flatMap(driven({ Limit: 1 }), () => {
      calls++
      return performance.now() < deadline ? loop : Effect.void
    })
    await rt.runPromise(Effect.forEach(Array.from({ length: concurrency }), () => loop, { concurrency: "unbounded", discard: true }) as Effect.Effect<void, unknown, never>)
  } else await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await call({ Limit: 1 })
      calls++
    }
  }))
  const c = process.cpuUsage(cpu0)
  return (c.user + c.system) / calls
}

// OVERHEAD_GC=1 (run with --min-semi-space-size=M --max-semi-space-size=M): young-generation
// collections per call, a proxy for bytes allocated per call (each collection follows ~M MB)
if (process.env.OVERHEAD_GC === "1") {
  const { PerformanceObserver, constants } = await import("node:perf_hooks")
  let minor = 0
  const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) if ((e as any).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++ })
  obs.observe({ entryTypes: ["gc"] })
  for (const n of Object.keys(clients)) {
    await slice(clients[n], 500)
    const m0 = minor
    let calls = 0
    const t = performance.now()
    while (performance.now() - t < 2000) {
      await Promise.all(Array.from({ length: concurrency }, () => clients[n]({ Limit: 1 })))
      calls += concurrency
    }
    await new Promise((r) => setTimeout(r, 50))
    process.stdout.write(`${n.padEnd(20)} ${((minor - m0) / calls * 1e4).toFixed(2)} minor GCs per 10k calls\n`)
  }
  process.exit(0)
}
// OVERHEAD_HEAP=<client>: sampled allocations of that client by function (bytes per call)
if (process.env.OVERHEAD_HEAP !== undefined) {
  const inspector = await import("node:inspector")
  const session = new inspector.Session()
  session.connect()
  const post = (m: string, p?: object) => new Promise<any>((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))))
  const n = process.env.OVERHEAD_HEAP
  await slice(clients[n], 800)
  await post("HeapProfiler.enable")
  await post("HeapProfiler.startSampling", { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  let calls = 0
  const t = performance.now()
  while (performance.now() - t < 2000) {
    await Promise.all(Array.from({ length: concurrency }, () => clients[n]({ Limit: 1 })))
    calls += concurrency
  }
  const { profile } = await post("HeapProfiler.stopSampling")
  const byFn = new Map<string, number>()
  const walk = (node: any) => {
    const f = node.callFrame
    const k = `${f.functionName || "(anon)"} ${String(f.url).replace(/.*node_modules\//, "")}:${f.lineNumber}:${f.columnNumber}`
    byFn.set(k, (byFn.get(k) ?? 0) + node.selfSize)
    for (const c of node.children ?? []) walk(c)
  }
  walk(profile.head)
  const total = [...byFn.values()].reduce((a, b) => a + b, 0)
  process.stdout.write(`${n}: ${(total / calls).toFixed(0)} B sampled per call\n`)
  for (const [k, v] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 40)) process.stdout.write(`${(v / calls).toFixed(0).padStart(7)} B  ${k}\n`)
  process.exit(0)
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
