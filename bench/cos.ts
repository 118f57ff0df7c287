/**
 * The COS transfer benchmark: `npm run bench:cos` (256 MB and 1 GB) or `npm run bench:cos -- --quick`
 * (32 MB, for CI). Upload and download of a generated file through the emulator on loopback
 * (objects stored on disk in the emulator's own process), this SDK against the official
 * cos-nodejs-sdk-v5 in the same run, each transfer in a fresh process so its peak RSS is its own.
 *
 * Reports throughput (MB/s), the ratio ours/official, and RSS: the process's baseline (after
 * imports) and its peak growth during the transfer, against the bound concurrency × part size + 64 MB.
 * Writes `bench/cos-results.json`. It reports; it never fails on a missed goal.
 *
 * Options: `--quick`, `--sizes=256,1024` (MB), `--concurrency=4`, `--part=8` (MB), `--out=<file>`.
 */
import * as Effect from "effect/Effect"
import { fork } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Buckets from "../src/cos/Buckets.js"
import * as Objects from "../src/cos/Objects.js"
import { DEMO_CREDENTIALS } from "../src/emulator/Emulator.js"
import { cosLayerFor } from "./cos-layer.js"

const args = process.argv.slice(2)
const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
const quick = args.includes("--quick")
const MB = 1024 * 1024
const sizes = (arg("sizes")?.split(",").map(Number) ?? (quick ? [32] : [256, 1024])).map((s) => s * MB)
const concurrency = Number(arg("concurrency") ?? 4)
const partSize = Number(arg("part") ?? 8) * MB
const benchDir = path.dirname(new URL(import.meta.url).pathname)
const outFile = arg("out") ?? path.join(benchDir, "cos-results.json")
const log = (s: string) => process.stderr.write(`[bench:cos] ${s}\n`)

const work = fs.mkdtempSync(path.join(os.tmpdir(), "cos-bench-"))
const store = path.join(work, "store")

const startEmulator = () =>
  new Promise<{ address: string; stop: () => void }>((resolve, reject) => {
    const child = fork(path.join(benchDir, "cos-emulator.ts"), [], {
      env: { ...process.env, TENCENTCLOUD_EMULATOR_COS_DIR: store },
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    child.once("message", (m: { address: string }) => resolve({ address: m.address, stop: () => child.disconnect() }))
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)))
  })

interface Measured {
  readonly ms: number
  readonly baselineRss: number
  readonly peakRss: number
}

const runClient = (task: Record<string, unknown>) =>
  new Promise<Measured>((resolve, reject) => {
    const child = fork(path.join(benchDir, "cos-client.ts"), [], { execArgv: ["--import", "tsx", "--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] })
    child.once("message", (m: { ok: boolean; result?: Measured; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))))
    child.once("exit", (code) => code !== 0 && reject(new Error(`client exited with ${code}`)))
    child.send(task)
  })

const generate = (file: string, size: number) => {
  const fd = fs.openSync(file, "w")
  const block = Buffer.alloc(MB)
  let x = 0x9e3779b9
  for (let off = 0; off < size; off += MB) {
    for (let i = 0; i < MB; i += 4) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      block.writeUInt32LE(x >>> 0, i)
    }
    fs.writeSync(fd, block, 0, Math.min(MB, size - off))
  }
  fs.closeSync(fd)
}

const main = async () => {
  const emu = await startEmulator()
  const creds = { address: emu.address, secretId: DEMO_CREDENTIALS.secretId, secretKey: DEMO_CREDENTIALS.secretKey }
  await Effect.runPromise(Effect.provide(Buckets.createBucket({ bucket: "bench-1250000000" }), cosLayerFor(creds)))
  const bound = concurrency * partSize + 64 * MB
  const rows: Array<Record<string, unknown>> = []
  try {
    for (const size of sizes) {
      const src = path.join(work, `src-${size}.bin`)
      log(`generating ${size / MB} MB`)
      generate(src, size)
      const result: Record<string, Record<string, Measured>> = {}
      for (const client of ["official", "ours"] as const) {
        const key = `${client}-${size}.bin`
        const out = path.join(work, `out-${client}-${size}.bin`)
        const base = { ...creds, client, key, partSize, concurrency }
        log(`${client}: upload ${size / MB} MB`)
        const up = await runClient({ ...base, op: "upload", file: src })
        log(`${client}: download ${size / MB} MB`)
        const down = await runClient({ ...base, op: "download", file: out })
        if (fs.statSync(out).size !== size) throw new Error(`${client} downloaded ${fs.statSync(out).size} bytes, not ${size}`)
        fs.rmSync(out)
        await Effect.runPromise(Effect.provide(Objects.deleteObject({ bucket: "bench-1250000000", key }), cosLayerFor(creds)))
        result[client] = { upload: up, download: down }
      }
      fs.rmSync(src)
      for (const op of ["upload", "download"] as const) {
        const mbps = (m: Measured) => size / MB / (m.ms / 1000)
        const o = result.ours[op]
        const f = result.official[op]
        rows.push({
          sizeMB: size / MB,
          op,
          oursMBps: Math.round(mbps(o)),
          officialMBps: Math.round(mbps(f)),
          ratio: Number((mbps(o) / mbps(f)).toFixed(2)),
          oursBaselineRssMB: Math.round(o.baselineRss / MB),
          oursPeakGrowthMB: Math.round((o.peakRss - o.baselineRss) / MB),
          oursPeakRssMB: Math.round(o.peakRss / MB),
          officialPeakGrowthMB: Math.round((f.peakRss - f.baselineRss) / MB),
          boundMB: bound / MB
        })
      }
    }
  } finally {
    emu.stop()
    fs.rmSync(work, { recursive: true, force: true })
  }
  console.table(rows)
  const goals = {
    throughputRatio: { goal: 1.5, worst: Math.min(...rows.map((r) => r.ratio as number)) },
    rssGrowth: { goalMB: bound / MB, worstMB: Math.max(...rows.map((r) => r.oursPeakGrowthMB as number)) }
  }
  fs.writeFileSync(outFile, JSON.stringify({ when: new Date().toISOString(), node: process.version, quick, concurrency, partSizeMB: partSize / MB, rows, goals }, null, 2) + "\n")
  log(`wrote ${outFile}`)
}

main().catch((e) => {
  log(`failed: ${e instanceof Error ? e.stack : String(e)}`)
  process.exit(1)
})
