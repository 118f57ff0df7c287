/**
 * One COS transfer in its own process, for the COS benchmark, each SDK through the call its users
 * make for a large file, with the same part size and concurrency (documented options of both):
 * - `upload`: ours `Transfer.upload`; official `uploadFile` (multipart above `SliceSize`, `ChunkSize`,
 *   `ChunkParallelLimit`).
 * - `download`: ours `Transfer.download` (ranged, concurrent, CRC-64 checked); official
 *   `downloadFile` (ranged, concurrent: `ChunkSize`, `ParallelLimit`; it checks sizes, not bytes).
 * - `stream`: one streamed GET into a file: ours `Objects.downloadObject` (CRC-64 checked); official
 *   `getObject` with `Output` (unchecked).
 * Reports the time, the process's RSS before the transfer (after imports and a GC) and its peak.
 */
import COS from "cos-nodejs-sdk-v5"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as inspector from "node:inspector"
import * as Objects from "../src/cos/Objects.js"
import * as Transfer from "../src/cos/Transfer.js"
import { cosLayerFor } from "./cos-layer.js"

interface Task {
  readonly client: "ours" | "official"
  readonly op: "upload" | "download" | "stream"
  readonly address: string
  readonly file: string
  readonly key: string
  readonly partSize: number
  readonly concurrency: number
  readonly secretId: string
  readonly secretKey: string
}

const BUCKET = "bench-1250000000"
const REGION = "ap-guangzhou"

const run = async (t: Task): Promise<void> => {
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

process.once("message", async (t: Task) => {
  try {
    ;(globalThis as any).gc?.()
    const baseline = process.memoryUsage.rss()
    let peak = baseline
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss())
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
    const start = performance.now()
    const cpu0 = process.cpuUsage()
    await run(t)
    const ms = performance.now() - start
    const cpu = process.cpuUsage(cpu0)
    if (session !== undefined) fs.writeFileSync(profile!, JSON.stringify((await post("Profiler.stop")).profile))
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024)
    process.send!({ ok: true, result: { ms, cpuMs: (cpu.user + cpu.system) / 1000, baselineRss: baseline, peakRss: peak } }, () => process.exit(0))
  } catch (e) {
    process.send!({ ok: false, error: e instanceof Error ? e.message : String(e) }, () => process.exit(1))
  }
})
