/**
 * One COS transfer in its own process, for the COS benchmark, each SDK through the call its users
 * make for a large file, with the same part size and concurrency (documented options of both):
 * - `upload`: ours `Transfer.upload`; official `uploadFile` (multipart above `SliceSize`, `ChunkSize`,
 *   `ChunkParallelLimit`).
 * - `download`: ours `Transfer.download` (ranged, concurrent, CRC-64 checked); official
 *   `downloadFile` (ranged, concurrent: `ChunkSize`, `ParallelLimit`; it checks sizes, not bytes).
 * - `stream`: one streamed GET into a file: ours `Objects.downloadObject` (CRC-64 checked); official
 *   `getObject` with `Output` (unchecked).
 * - `floor`: the least any client can do for each (`cos-floor.ts`: node:http and node:fs, unchecked).
 * Reports the time, the process's RSS before the transfer (after imports and a GC) and its peak,
 * its CPU time by thread, the most memory held in ArrayBuffers, and the GCs during the transfer.
 */
import COS from "cos-nodejs-sdk-v5"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as inspector from "node:inspector"
import { constants as perfConstants, PerformanceObserver } from "node:perf_hooks"
import * as v8 from "node:v8"
import * as Objects from "../src/cos/Objects.js"
import * as Transfer from "../src/cos/Transfer.js"
import * as Floor from "./cos-floor.js"
import { cosLayerFor } from "./cos-layer.js"

/** One transfer: the floor's task and which client makes it. */
interface Task extends Floor.FloorTask {
  readonly client: "ours" | "official" | "floor"
}

const BUCKET = "bench-1250000000"
const REGION = "ap-guangzhou"

/** CPU time (ms, user+system) of each thread of this process, by thread id (Linux; empty elsewhere). */
const threadCpu = (): Map<string, number> => {
  const out = new Map<string, number>()
  try {
    for (const tid of fs.readdirSync("/proc/self/task")) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8")
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      out.set(tid, ((Number(f[11]) + Number(f[12])) * 1000) / 100)
    }
  } catch {
    // not Linux
  }
  return out
}

const threadCpuDetail = (): Map<string, [number, number]> => {
  const out = new Map<string, [number, number]>()
  for (const tid of fs.readdirSync("/proc/self/task")) {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8")
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    out.set(tid, [Number(f[11]) * 10, Number(f[12]) * 10])
  }
  return out
}

const run = async (t: Task): Promise<void> => {
  if (t.client === "floor") return Floor.run(t)
  if (t.client === "ours") {
    const layer = cosLayerFor(t)
    const common = { bucket: BUCKET, key: t.key, file: t.file, partSize: t.partSize, concurrency: t.concurrency, resume: false }
    const program: Effect.Effect<unknown, unknown, any> =
      t.op === "upload" ? Transfer.upload(common) : t.op === "download" ? Transfer.download(common) : Objects.downloadObject({ bucket: BUCKET, key: t.key, path: t.file })
    await Effect.runPromise(Effect.provide(program, layer) as Effect.Effect<unknown, unknown>)
    return
  }
  const cos = new COS({ SecretId: t.secretId, SecretKey: t.secretKey, Ip: t.address, Protocol: "http:", ChunkParallelLimit: t.concurrency, ChunkSize: t.partSize } as any)
  await new Promise<void>((resolve, reject) => {
    const done = (err: unknown) => (err ? reject(err) : resolve())
    if (t.op === "upload") (cos as any).uploadFile({ Bucket: BUCKET, Region: REGION, Key: t.key, FilePath: t.file, SliceSize: t.partSize * 2, ChunkSize: t.partSize }, done)
    else if (t.op === "download") (cos as any).downloadFile({ Bucket: BUCKET, Region: REGION, Key: t.key, FilePath: t.file, ChunkSize: t.partSize, ParallelLimit: t.concurrency }, done)
    else (cos as any).getObject({ Bucket: BUCKET, Region: REGION, Key: t.key, Output: fs.createWriteStream(t.file) }, done)
  })
}

// COS_BENCH_V8_FLAGS: V8 flags for an experiment (e.g. "--no-wasm-tier-up"), set before any transfer
if (process.env.COS_BENCH_V8_FLAGS) v8.setFlagsFromString(process.env.COS_BENCH_V8_FLAGS)

process.once("message", async (t: Task) => {
  try {
    ;(globalThis as any).gc?.()
    const baseline = process.memoryUsage.rss()
    let peak = baseline
    // the most memory held in ArrayBuffers (socket and file buffers: V8 counts them as external memory)
    let peakArrayBuffers = 0
    const timer = setInterval(() => {
      const m = process.memoryUsage()
      peak = Math.max(peak, m.rss)
      peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers)
    }, 20)
    // COS_BENCH_PROFILE=<file>: a CPU profile of the transfer alone (imports and setup left out)
    const profile = process.env.COS_BENCH_PROFILE
    const session = profile === undefined ? undefined : new inspector.Session()
    const post = (method: string) => new Promise<any>((resolve, reject) => session!.post(method, (err, r) => (err ? reject(err) : resolve(r))))
    if (session !== undefined) {
      session.connect()
      await post("Profiler.enable")
      await post("Profiler.start")
    }
    // the garbage collections during the transfer: scavenges (young generation) and mark-compacts
    const gc = { scavenges: 0, markCompacts: 0 }
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as { detail?: { kind?: number } }).detail?.kind
        if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++
        else if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) gc.markCompacts++
      }
    })
    gcObserver.observe({ entryTypes: ["gc"] })
    const start = performance.now()
    const cpu0 = process.cpuUsage()
    const threads0 = threadCpu()
    const detail0 = threadCpuDetail()
    await run(t)
    const ms = performance.now() - start
    const cpu = process.cpuUsage(cpu0)
    // entries of the last GCs are delivered asynchronously
    await new Promise((r) => setImmediate(r))
    gcObserver.disconnect()
    // the main thread's CPU, then the other threads' (libuv's pool: file I/O; V8's: GC, compilation)
    const main = String(process.pid)
    const threads = [...threadCpu()].map(([tid, ms]) => [tid, ms - (threads0.get(tid) ?? 0)] as const).filter(([, ms]) => ms > 0)
    if (process.env.COS_BENCH_THREADS) {
      const after = threadCpuDetail()
      process.stderr.write(`threads (tid user/sys ms): ${[...after].sort((a, b) => Number(a[0]) - Number(b[0])).map(([tid, [u, s]]) => `${tid} ${u - (detail0.get(tid)?.[0] ?? 0)}/${s - (detail0.get(tid)?.[1] ?? 0)}`).join(", ")}\n`)
    }
    const threadsMs = { main: threads.find(([tid]) => tid === main)?.[1] ?? 0, others: threads.filter(([tid]) => tid !== main).map(([, ms]) => ms).sort((a, b) => b - a) }
    if (session !== undefined) fs.writeFileSync(profile!, JSON.stringify((await post("Profiler.stop")).profile))
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024)
    process.send!({ ok: true, result: { ms, cpuMs: (cpu.user + cpu.system) / 1000, threadsMs, peakArrayBuffers, gc, baselineRss: baseline, peakRss: peak } }, () => process.exit(0))
  } catch (e) {
    process.send!({ ok: false, error: e instanceof Error ? e.message : String(e) }, () => process.exit(1))
  }
})
