/**
 * Decode cost of the 100-instance DescribeInstances answer in both drift modes, as ratios to
 * `JSON.parse` of the same text, measured in CPU time (`process.cpuUsage`), interleaved over 25
 * rounds, medians: on a shared machine wall-clock figures swing several-fold, CPU time much less.
 *
 * - clean answer: lossless parse + the generated action's decoding step, tolerant and strict (the
 *   same fast check: a drift-free answer never reads the mode);
 * - an answer with drift in every instance (CPU as text, an undeclared member): the tolerant
 *   walk with its 200 drift records reported, and strict mode failing with all of them named.
 *
 * Run: `npx tsx bench/drift-decode.ts`
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Cvm from "../src/generated/cvm/v20170312.js"
import { StrictMode } from "../src/internal/drift.js"
import { decoderOf } from "../src/internal/operation.js"
import * as Json from "../src/Json.js"
import { describeInstancesBody } from "./fixtures.js"

const text = describeInstancesBody(100)
const doc = Json.parse(text) as { Response: { InstanceSet: Array<Record<string, unknown>> } }
for (const i of doc.Response.InstanceSet) {
  i.CPU = String(i.CPU)
  i.AddedLater = { Since: "2027" }
}
const drifted = Json.stringify(doc)
const decode = decoderOf(Cvm.$M, "DescribeInstances", Cvm.DescribeInstancesResponse as Schema.Schema<any, any, never>)
const run = (t: string, strict: boolean) => () =>
  Effect.runSync(Effect.either(Effect.provideService(decode((Json.parse(t) as { Response: Record<string, unknown> }).Response), StrictMode, strict)))

const fns: Record<string, () => unknown> = {
  "JSON.parse": () => JSON.parse(text),
  "clean answer, tolerant": run(text, false),
  "clean answer, strict": run(text, true),
  "JSON.parse (drifted answer)": () => JSON.parse(drifted),
  "drift in every instance, tolerant": run(drifted, false),
  "drift in every instance, strict (fails)": run(drifted, true)
}
const cpu = () => {
  const u = process.cpuUsage()
  return u.user + u.system
}
const samples: Record<string, Array<number>> = {}
for (let round = 0; round < 25; round++) {
  for (const [k, f] of Object.entries(fns)) {
    const t = cpu()
    for (let i = 0; i < 10; i++) f()
    ;(samples[k] ??= []).push((cpu() - t) / 10)
  }
}
const median = (a: Array<number>) => [...a].sort((x, y) => x - y)[a.length >> 1]
const base = median(samples["JSON.parse"])
const driftBase = median(samples["JSON.parse (drifted answer)"])
console.log(`decode of the 100-instance answer (${text.length} B), CPU µs per op and ratio to JSON.parse of the same text:`)
for (const k of Object.keys(fns)) {
  const m = median(samples[k])
  console.log(`  ${k.padEnd(40)} ${m.toFixed(0).padStart(6)} µs  ${(m / (k.includes("drift") ? driftBase : base)).toFixed(2)}×`)
}
