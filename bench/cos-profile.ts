/**
 * Summarise V8 CPU profiles written by `npm run bench:cos -- --cpu-prof=<dir>`: for each profile,
 * the wall time it covers, the share of idle, GC and program time, and the functions with the most
 * self time (with their file), so where a transfer's time goes can be read without a viewer.
 *
 * Usage: `npx tsx bench/cos-profile.ts <dir or .cpuprofile files> [--top=25]`
 */
import * as fs from "node:fs"
import * as path from "node:path"

interface Node {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}
interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly startTime: number
  readonly endTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const args = process.argv.slice(2)
const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 25)
const files = args
  .filter((a) => !a.startsWith("--"))
  .flatMap((a) => (fs.statSync(a).isDirectory() ? fs.readdirSync(a).filter((f) => f.endsWith(".cpuprofile")).map((f) => path.join(a, f)) : [a]))

const short = (url: string) => url.replace(/^file:\/\//, "").replace(/.*\/node_modules\//, "~/").replace(process.cwd() + "/", "")

for (const file of files) {
  const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<string, number>()
  let total = 0
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i])!
    const dt = p.timeDeltas[i] ?? 0
    total += dt
    const f = n.callFrame
    const name = f.url === "" ? f.functionName || "(anonymous)" : `${f.functionName || "(anonymous)"} ${short(f.url)}:${f.lineNumber + 1}`
    self.set(name, (self.get(name) ?? 0) + dt)
  }
  const ms = (us: number) => (us / 1000).toFixed(0)
  const idle = self.get("(idle)") ?? 0
  console.log(`\n== ${path.basename(file)}: ${ms(total)} ms sampled, idle ${((100 * idle) / total).toFixed(0)}%, busy ${ms(total - idle)} ms`)
  const rows = [...self.entries()].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, top)
  for (const [name, us] of rows) console.log(`${ms(us).padStart(7)} ms ${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${name}`)
}
