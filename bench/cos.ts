/**
 * The COS transfer benchmark: `npm run bench:cos` (256 MB and 1 GB) or `npm run bench:cos -- --quick`
 * (32 MB, for CI). Upload, ranged download and streamed download (see `cos-client.ts` for the
 * calls of each SDK) of a generated file through the emulator on loopback
 * (objects held in the emulator's own process: in memory, or on disk with `--store=disk`), this SDK
 * against the official cos-nodejs-sdk-v5 in the same run, each transfer in a fresh process so its
 * peak RSS is its own.
 *
 * Each transfer runs `--runs` times (default 3), the clients taking turns, and the best run of
 * each is compared (the median ratio is reported too): on a shared, loaded machine the best run is
 * the one least disturbed. A third client, the floor (`cos-floor.ts`: node:http and node:fs, no
 * checks), shows what any client can reach against the same emulator: floor/official below the
 * goal in a row means no client can meet the goal there; ours/floor is what this SDK costs. Reports throughput (MB/s), the ratio ours/official, the CPU time of each
 * client and of the emulator serving it (medians; less disturbed by load than time), the load average,
 * and RSS: the process's baseline (after imports) and its peak growth during the transfer (the
 * largest of the runs), against the bound concurrency × part size + 64 MB.
 * Writes `bench/cos-results.json`. It reports; it never fails on a missed goal.
 *
 * Options: `--quick`, `--sizes=256,1024` (MB), `--concurrency=4`, `--part=8` (MB), `--out=<file>`,
 * `--runs=3`, `--store=memory|disk`, `--only=ours,official,floor` (the clients run; default all three), `--ops=upload,download,stream`
 * (the transfers reported), `--cpu-prof=<dir>` (V8 CPU profiles of each transfer alone, client and emulator, for
 * `bench/cos-profile.ts`). Each transfer's CPU time is logged split by thread (main, then the others: libuv's
 * pool doing file I/O, V8's doing GC) from /proc on Linux.
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
const runs = Number(arg("runs") ?? (quick ? 1 : 3))
const partSize = Number(arg("part") ?? 8) * MB
const benchDir = path.dirname(new URL(import.meta.url).pathname)
const outFile = arg("out") ?? path.join(benchDir, "cos-results.json")
const profDir = arg("cpu-prof")
if (profDir !== undefined) fs.mkdirSync(profDir, { recursive: true })
const clients = (arg("only")?.split(",") ?? ["official", "ours", "floor"]) as Array<"official" | "ours" | "floor">
const log = (s: string) => process.stderr.write(`[bench:cos] ${s}\n`)

const work = fs.mkdtempSync(path.join(os.tmpdir(), "cos-bench-"))
const store = path.join(work, "store")

const startEmulator = () =>
  new Promise<{ address: string; stop: () => void; ask: (m: object) => Promise<any> }>((resolve, reject) => {
    const child = fork(path.join(benchDir, "cos-emulator.ts"), [], {
      execPath: process.env.COS_BENCH_EMULATOR_EXEC_PATH ?? process.execPath,
      env: { ...process.env, TENCENTCLOUD_EMULATOR_COS_DIR: arg("store") === "disk" ? store : "", ...(process.env.COS_BENCH_EMULATOR_GLIBC ? { GLIBC_TUNABLES: process.env.COS_BENCH_EMULATOR_GLIBC } : {}) },
      execArgv: ["--import", "tsx", ...(process.env.COS_BENCH_EMULATOR_NODE_ARGS?.split(" ").filter((a) => a !== "") ?? [])],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    // a message and its acknowledgement (profile start/stop)
    const ask = (m: object) => new Promise<any>((done) => (child.once("message", (r) => done(r)), child.send(m)))
    child.once("message", (m: { address: string }) => resolve({ address: m.address, stop: () => child.disconnect(), ask }))
    child.once("exit", (code) => reject(new Error(`the emulator exited with ${code}`)))
  })

interface Measured {
  readonly ms: number
  /** CPU time of the client process and of the emulator during the transfer. */
  readonly cpuMs: number
  readonly emulatorCpuMs: number
  /** CPU time of the client's main thread and of its other threads (largest first), from /proc. */
  readonly threadsMs?: { readonly main: number; readonly others: ReadonlyArray<number> }
  /** The most memory the client held in ArrayBuffers (sampled every 20 ms). */
  readonly peakArrayBuffers?: number
  /** The client's garbage collections during the transfer. */
  readonly gc?: { readonly scavenges: number; readonly markCompacts: number }
  readonly baselineRss: number
  readonly peakRss: number
}

let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined

/** One transfer in a fresh process; with `--cpu-prof`, the emulator's profile of the same window. */
const runClient = async (task: Record<string, unknown>): Promise<Measured> => {
  const name = `${Number(task.size) / MB}-${task.client}-${task.op}-${task.run}`
  if (profDir !== undefined) await emulator!.ask({ profile: path.join(profDir, `${name}-emulator.cpuprofile`) })
  await emulator!.ask({ cpu: "start" })
  try {
    const m = await runClientProcess(task)
    const e = (await emulator!.ask({ cpu: "stop" })) as { cpuMs: number }
    const th = m.threadsMs
    if (th !== undefined) log(`  ${name}: ${Math.round(m.ms)} ms, CPU ${Math.round(m.cpuMs)} ms (main ${Math.round(th.main)}, other threads ${th.others.map(Math.round).join("/")}), emulator ${Math.round(e.cpuMs)} ms, ArrayBuffers ≤ ${Math.round((m.peakArrayBuffers ?? 0) / MB)} MB, GC ${m.gc?.scavenges ?? "?"} scavenges / ${m.gc?.markCompacts ?? "?"} mark-compacts`)
    return { ...m, emulatorCpuMs: e.cpuMs }
  } finally {
    if (profDir !== undefined) await emulator!.ask({ stop: true })
  }
}

const runClientProcess = (task: Record<string, unknown>) =>
  new Promise<Omit<Measured, "emulatorCpuMs">>((resolve, reject) => {
    const name = `${Number(task.size) / MB}-${task.client}-${task.op}-${task.run}`
    const env = profDir === undefined ? process.env : { ...process.env, COS_BENCH_PROFILE: path.join(profDir, `${name}.cpuprofile`) }
    // COS_BENCH_NODE_ARGS (extra node flags) and COS_BENCH_EXEC_PATH (a wrapper, e.g. one running `perf record`) are for experiments
    const child = fork(path.join(benchDir, "cos-client.ts"), [], { env, execPath: process.env.COS_BENCH_EXEC_PATH ?? process.execPath, execArgv: ["--import", "tsx", "--expose-gc", ...(process.env.COS_BENCH_NODE_ARGS?.split(" ").filter((a) => a !== "") ?? [])], stdio: ["ignore", "inherit", "inherit", "ipc"] })
    child.once("message", (m: { ok: boolean; result?: Omit<Measured, "emulatorCpuMs">; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))))
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

const OPS = ["upload", "download", "stream"] as const
/** The transfers reported (`--ops=download,stream`); the upload always runs (the downloads need the object). */
const ops = OPS.filter((op) => arg("ops")?.split(",").includes(op) ?? true)

/** The best (highest throughput) and the median of a transfer's runs. */
const summarise = (runs: ReadonlyArray<Measured>) => {
  const byTime = [...runs].sort((x, y) => x.ms - y.ms)
  const median = (xs: Array<number>) => xs.sort((x, y) => x - y)[Math.floor((xs.length - 1) / 2)]
  return { best: byTime[0], median: byTime[Math.floor((byTime.length - 1) / 2)], cpu: median(runs.map((m) => m.cpuMs)), emulatorCpu: median(runs.map((m) => m.emulatorCpuMs)), peakGrowth: Math.max(...runs.map((m) => m.peakRss - m.baselineRss)), baseline: byTime[0].baselineRss, markCompacts: runs.map((m) => m.gc?.markCompacts ?? "?").join("/") }
}

const main = async () => {
  const emu = (emulator = await startEmulator())
  const creds = { address: emu.address, secretId: DEMO_CREDENTIALS.secretId, secretKey: DEMO_CREDENTIALS.secretKey }
  await Effect.runPromise(Effect.provide(Buckets.createBucket({ bucket: "bench-1250000000" }), cosLayerFor(creds)))
  const bound = concurrency * partSize + 64 * MB
  const rows: Array<Record<string, unknown>> = []
  const loadBefore = os.loadavg()
  try {
    for (const size of sizes) {
      const src = path.join(work, `src-${size}.bin`)
      log(`generating ${size / MB} MB`)
      generate(src, size)
      const result: Record<string, Record<string, Array<Measured>>> = {}
      // the clients take turns, run after run, so that a change of load falls on both
      for (let run = 1; run <= runs; run++) {
        for (const client of clients) {
          const key = `${client}-${size}.bin`
          const out = path.join(work, `out-${client}-${size}.bin`)
          const base = { ...creds, client, key, partSize, concurrency, size, run }
          const mine = (result[client] ??= { upload: [], download: [], stream: [] })
          log(`run ${run}/${runs} ${client}: upload ${size / MB} MB`)
          mine.upload.push(await runClient({ ...base, op: "upload", file: src }))
          for (const op of (["download", "stream"] as const).filter((o) => ops.includes(o))) {
            log(`run ${run}/${runs} ${client}: ${op} ${size / MB} MB`)
            mine[op].push(await runClient({ ...base, op, file: out }))
            if (fs.statSync(out).size !== size) throw new Error(`${client} ${op} wrote ${fs.statSync(out).size} bytes, not ${size}`)
            fs.rmSync(out)
          }
          await Effect.runPromise(Effect.provide(Objects.deleteObject({ bucket: "bench-1250000000", key }), cosLayerFor(creds)))
        }
      }
      fs.rmSync(src)
      const mbps = (m: Measured) => size / MB / (m.ms / 1000)
      for (const op of ops) {
        const o = result.ours === undefined ? undefined : summarise(result.ours[op])
        const f = result.official === undefined ? undefined : summarise(result.official[op])
        const fl = result.floor === undefined ? undefined : summarise(result.floor[op])
        if (o === undefined || f === undefined) {
          for (const c of clients) {
            const m = summarise(result[c][op])
            rows.push({ sizeMB: size / MB, op, client: c, MBps: Math.round(mbps(m.best)), medianMBps: Math.round(mbps(m.median)), cpuMs: Math.round(m.cpu), emulatorCpuMs: Math.round(m.emulatorCpu), peakGrowthMB: Math.round(m.peakGrowth / MB) })
          }
          if (o !== undefined && fl !== undefined) log(`${size / MB} MB ${op}: ours/floor ${(mbps(o.best) / mbps(fl.best)).toFixed(2)} (CPU ${Math.round(o.cpu)} / ${Math.round(fl.cpu)} ms)`)
          continue
        }
        const row: Record<string, unknown> = {
          sizeMB: size / MB,
          op,
          oursMBps: Math.round(mbps(o.best)),
          officialMBps: Math.round(mbps(f.best)),
          ratio: Number((mbps(o.best) / mbps(f.best)).toFixed(2)),
          medianRatio: Number((mbps(o.median) / mbps(f.median)).toFixed(2)),
          oursCpuMs: Math.round(o.cpu),
          officialCpuMs: Math.round(f.cpu),
          emulatorCpuMs: `${Math.round(o.emulatorCpu)} / ${Math.round(f.emulatorCpu)}`,
          oursBaselineRssMB: Math.round(o.baseline / MB),
          oursPeakGrowthMB: Math.round(o.peakGrowth / MB),
          officialPeakGrowthMB: Math.round(f.peakGrowth / MB),
          boundMB: bound / MB,
          // mark-compacts during each run (in run order): the GC regime the transfer ran in
          oursMarkCompacts: o.markCompacts,
          officialMarkCompacts: f.markCompacts
        }
        if (fl !== undefined) {
          // the floor (cos-floor.ts): what any client can reach here; floor/official below a goal means no client meets it
          Object.assign(row, {
            floorMBps: Math.round(mbps(fl.best)),
            floorCpuMs: Math.round(fl.cpu),
            floorEmulatorCpuMs: Math.round(fl.emulatorCpu),
            floorMarkCompacts: fl.markCompacts,
            floorOverOfficial: Number((mbps(fl.best) / mbps(f.best)).toFixed(2)),
            floorOverOfficialMedian: Number((mbps(fl.median) / mbps(f.median)).toFixed(2)),
            oursOverFloor: Number((mbps(o.best) / mbps(fl.best)).toFixed(2)),
            oursOverFloorMedian: Number((mbps(o.median) / mbps(fl.median)).toFixed(2))
          })
        }
        rows.push(row)
        log(
          `${size / MB} MB ${op}: ours/official ${row.ratio} (median ${row.medianRatio})` +
            (fl === undefined ? "" : `, floor/official ${row.floorOverOfficial} (median ${row.floorOverOfficialMedian}), ours/floor ${row.oursOverFloor} (median ${row.oursOverFloorMedian})`) +
            `; CPU ours ${row.oursCpuMs}, official ${row.officialCpuMs}${fl === undefined ? "" : `, floor ${row.floorCpuMs}`} ms; load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`
        )
      }
    }
  } finally {
    emu.stop()
    fs.rmSync(work, { recursive: true, force: true })
  }
  console.table(rows)
  const compared = rows.filter((r) => r.ratio !== undefined && r.op !== "stream")
  const goals = {
    throughputRatio: { goal: 1.5, worst: Math.min(...compared.map((r) => r.ratio as number)), worstMedian: Math.min(...compared.map((r) => r.medianRatio as number)) },
    // the rows where even the floor stays below the goal: no client can meet it there on this machine
    unreachableByFloor: rows.filter((r) => r.floorOverOfficial !== undefined && (r.floorOverOfficial as number) < 1.5).map((r) => `${r.sizeMB} MB ${r.op} (floor/official ${r.floorOverOfficial})`),
    rssGrowth: { goalMB: bound / MB, worstMB: Math.max(...rows.map((r) => (r.oursPeakGrowthMB ?? r.peakGrowthMB) as number)) }
  }
  const load = { before: loadBefore.map((x) => Number(x.toFixed(2))), after: os.loadavg().map((x) => Number(x.toFixed(2))), cores: os.cpus().length }
  fs.writeFileSync(outFile, JSON.stringify({ when: new Date().toISOString(), node: process.version, quick, runs, store: arg("store") ?? "memory", concurrency, partSizeMB: partSize / MB, load, rows, goals }, null, 2) + "\n")
  log(`load average ${load.before.join(" ")} -> ${load.after.join(" ")} on ${load.cores} cores; wrote ${outFile}`)
}

main().catch((e) => {
  log(`failed: ${e instanceof Error ? e.stack : String(e)}`)
  process.exit(1)
})
