/**
 * One COS transfer in its own process, for the COS benchmark: `ours` (this SDK's Transfer) or
 * `official` (cos-nodejs-sdk-v5: uploadFile in parts, getObject streamed to a file). Reports the
 * time, the process's RSS before the transfer (after imports and a GC) and its peak during it.
 */
import COS from "cos-nodejs-sdk-v5"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as Transfer from "../src/cos/Transfer.js"
import { cosLayerFor } from "./cos-layer.js"

interface Task {
  readonly client: "ours" | "official"
  readonly op: "upload" | "download"
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
    const program =
      t.op === "upload"
        ? Transfer.upload({ bucket: BUCKET, key: t.key, file: t.file, partSize: t.partSize, concurrency: t.concurrency, resume: false })
        : Transfer.download({ bucket: BUCKET, key: t.key, file: t.file, partSize: t.partSize, concurrency: t.concurrency, resume: false })
    await Effect.runPromise(Effect.provide(program, layer))
    return
  }
  const cos = new COS({ SecretId: t.secretId, SecretKey: t.secretKey, Ip: t.address, Protocol: "http:", ChunkParallelLimit: t.concurrency, ChunkSize: t.partSize } as any)
  await new Promise<void>((resolve, reject) => {
    const done = (err: unknown) => (err ? reject(err) : resolve())
    if (t.op === "upload") (cos as any).uploadFile({ Bucket: BUCKET, Region: REGION, Key: t.key, FilePath: t.file, SliceSize: t.partSize * 2, ChunkSize: t.partSize }, done)
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
    const start = performance.now()
    await run(t)
    const ms = performance.now() - start
    clearInterval(timer)
    peak = Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024)
    process.send!({ ok: true, result: { ms, baselineRss: baseline, peakRss: peak } }, () => process.exit(0))
  } catch (e) {
    process.send!({ ok: false, error: e instanceof Error ? e.message : String(e) }, () => process.exit(1))
  }
})
