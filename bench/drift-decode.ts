/**
 * Decode cost of the 100-instance DescribeInstances answer, as ratios to `JSON.parse` of the same
 * text. The one measurement of decoding: `npx tsx bench/drift-decode.ts [--quick]` prints it,
 * and `bench/run.ts` runs this file (built, in its own process) for its `decode` section.
 *
 * What is measured, each through the client's real decoding step (`decoderOf`: the generated
 * action's compiled check, the tolerant walk when it fails, drift records reported):
 * - a clean answer: lossless `Json.parse` + decode, tolerant and strict;
 * - an answer with drift in every instance (CPU as text, an undeclared member): the tolerant walk
 *   with its 200 records reported, and strict mode failing with all of them named.
 *
 * How (docs/performance.md, "Decode"):
 * - **CPU time** (`process.cpuUsage`, user + system) is the figure the target is judged on: on a
 *   shared machine wall time also counts the time the process waited for a core, which has
 *   nothing to do with the code. It includes the GC's helper threads, so garbage is paid for.
 *   Wall time is reported beside it.
 * - **Interleaved, paired rounds**: every round runs every variant once (in a rotating order) for
 *   about `sampleMs` each, and each variant's time is divided by its baseline's time *in the same
 *   round*; the figure is the median of those per-round ratios. Load that changes during the run
 *   hits both sides of a ratio alike, and a round where a major GC landed on one side is an outlier
 *   the median ignores. A sample is several operations (each allocates about 3 MB), so scavenges
 *   are spread evenly over samples.
 * - **The mode comes from a prepared runtime** (`Runtime.runSyncExit` of a runtime holding
 *   `StrictMode`), not from `Effect.provideService` around each operation: with the latter, V8
 *   kept every decoded tree alive across scavenges until the next mark-compact (scavenges of
 *   20-50 MB, 80-180 ms each in `--trace-gc`), which tripled the figure of *every* variant run
 *   that way and measured the harness, not the decoder. A client's calls read the mode from the
 *   fiber's context the same way.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Runtime from "effect/Runtime"
import type * as Schema from "effect/Schema"
import * as Cvm from "../src/generated/cvm/v20170312.js"
import { StrictMode } from "../src/internal/drift.js"
import { decoderOf } from "../src/internal/operation.js"
import * as Json from "../src/Json.js"
import { describeInstancesBody } from "./fixtures.js"

/** The figures of one run: CPU µs per operation (medians), and ratios (medians of per-round ratios). */
export interface DecodeFigures {
  readonly bytes: number
  readonly method: string
  readonly rounds: number
  readonly cpuMicrosPerOp: Record<string, number>
  readonly wallMicrosPerOp: Record<string, number>
  /** CPU time, median of per-round ratios to the baseline (`JSON.parse` of the same text). */
  readonly cpuRatios: Record<string, number>
  readonly wallRatios: Record<string, number>
  /** The target: a clean answer ≤ 2× `JSON.parse` in both modes (judged on CPU time). */
  readonly target: { readonly goal: string; readonly value: number; readonly met: boolean }
}

export const METHOD =
  "CPU time (user+system), interleaved rounds, median of per-round ratios to JSON.parse of the same text; mode from a prepared runtime"

interface Variant {
  readonly name: string
  /** The variant it is divided by in each round (itself for a baseline). */
  readonly base: string
  readonly run: () => unknown
}

const variants = (text: string): ReadonlyArray<Variant> => {
  const doc = Json.parse(text) as { Response: { InstanceSet: Array<Record<string, unknown>> } }
  for (const i of doc.Response.InstanceSet) {
    i.CPU = String(i.CPU)
    i.AddedLater = { Since: "2027" }
  }
  const drifted = Json.stringify(doc)
  const decode = decoderOf(Cvm.$M, "DescribeInstances", Cvm.DescribeInstancesResponse as Schema.Schema<any, any, never>)
  const runtime = (strict: boolean) => Runtime.runSyncExit(Effect.runSync(Effect.provideService(Effect.runtime<never>(), StrictMode, strict)))
  const tolerant = runtime(false)
  const strict = runtime(true)
  const full = (t: string, run: typeof tolerant, ok: boolean) => () => {
    const exit = run(decode((Json.parse(t) as { Response: Record<string, unknown> }).Response))
    if (Exit.isSuccess(exit) !== ok) throw new Error(`decode ${ok ? "failed" : "succeeded"} unexpectedly`)
    return exit
  }
  return [
    { name: "JSON.parse", base: "JSON.parse", run: () => JSON.parse(text) },
    { name: "Json.parse (lossless)", base: "JSON.parse", run: () => Json.parse(text) },
    { name: "clean answer, tolerant", base: "JSON.parse", run: full(text, tolerant, true) },
    { name: "clean answer, strict", base: "JSON.parse", run: full(text, strict, true) },
    { name: "JSON.parse (drifted answer)", base: "JSON.parse (drifted answer)", run: () => JSON.parse(drifted) },
    { name: "drift in every instance, tolerant", base: "JSON.parse (drifted answer)", run: full(drifted, tolerant, true) },
    { name: "drift in every instance, strict (fails)", base: "JSON.parse (drifted answer)", run: full(drifted, strict, false) }
  ]
}

const cpuNow = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const r2 = (x: number) => Math.round(x * 100) / 100
const r1 = (x: number) => Math.round(x * 10) / 10

/** Measure: warm-up, calibration (operations per sample), then `rounds` interleaved rounds. */
export const measure = (text0: string, options: { readonly rounds: number; readonly sampleMs: number }): DecodeFigures => {
  // a flat string, as a body read from the network is (a string built by concatenation is read slower)
  const text = Buffer.from(text0, "utf8").toString("utf8")
  const vs = variants(text)
  const ops = new Map<string, number>()
  for (const v of vs) {
    // warm-up (JIT, inline caches) and calibration
    const t0 = performance.now()
    let n = 0
    while (performance.now() - t0 < 150 || n < 5) {
      v.run()
      n++
    }
    ops.set(v.name, Math.max(2, Math.round((options.sampleMs * n) / (performance.now() - t0))))
  }
  const cpu: Record<string, Array<number>> = {}
  const wall: Record<string, Array<number>> = {}
  for (let round = 0; round < options.rounds; round++) {
    for (let j = 0; j < vs.length; j++) {
      const v = vs[(j + round) % vs.length]
      const n = ops.get(v.name)!
      const c0 = cpuNow()
      const w0 = performance.now()
      for (let i = 0; i < n; i++) v.run()
      ;(wall[v.name] ??= []).push(((performance.now() - w0) * 1000) / n)
      ;(cpu[v.name] ??= []).push((cpuNow() - c0) / n)
    }
  }
  const ratios = (xs: Record<string, Array<number>>) =>
    Object.fromEntries(vs.map((v) => [v.name, r2(median(xs[v.name].map((x, i) => x / xs[v.base][i])))]))
  const cpuRatios = ratios(cpu)
  const worst = Math.max(cpuRatios["clean answer, tolerant"], cpuRatios["clean answer, strict"])
  return {
    bytes: text.length,
    method: METHOD,
    rounds: options.rounds,
    cpuMicrosPerOp: Object.fromEntries(vs.map((v) => [v.name, r1(median(cpu[v.name]))])),
    wallMicrosPerOp: Object.fromEntries(vs.map((v) => [v.name, r1(median(wall[v.name]))])),
    cpuRatios,
    wallRatios: ratios(wall),
    target: { goal: "clean answer ≤ 2× JSON.parse (CPU), tolerant and strict", value: worst, met: worst <= 2 }
  }
}

const print = (f: DecodeFigures) => {
  const out = [`decode of the 100-instance answer (${f.bytes} B), ${f.rounds} rounds; µs per op and median ratio to JSON.parse of the same text`]
  out.push(`  ${"".padEnd(42)} ${"CPU µs".padStart(8)} ${"ratio".padStart(6)} ${"wall µs".padStart(8)} ${"ratio".padStart(6)}`)
  for (const k of Object.keys(f.cpuMicrosPerOp)) {
    out.push(`  ${k.padEnd(42)} ${f.cpuMicrosPerOp[k].toFixed(0).padStart(8)} ${f.cpuRatios[k].toFixed(2).padStart(5)}× ${f.wallMicrosPerOp[k].toFixed(0).padStart(8)} ${f.wallRatios[k].toFixed(2).padStart(5)}×`)
  }
  out.push(`  target ${f.target.goal}: ${f.target.value}× ${f.target.met ? "met" : "MISSED"}`)
  return out.join("\n")
}

const isMain = process.argv[1] !== undefined && /drift-decode\.(ts|mjs|js)$/.test(process.argv[1])
if (isMain) {
  const quick = process.argv.includes("--quick")
  const options = { rounds: quick ? 30 : 120, sampleMs: quick ? 12 : 25 }
  if (process.send !== undefined) {
    // bench/run.ts: the text and the options come over IPC, the figures go back
    process.once("message", (m: { text: string; quick: boolean }) => {
      const figures = measure(m.text, { rounds: m.quick ? 30 : 120, sampleMs: m.quick ? 12 : 25 })
      process.send!({ ok: true, figures }, () => process.exit(0))
    })
  } else {
    console.log(print(measure(describeInstancesBody(100), options)))
  }
}

export { print }
