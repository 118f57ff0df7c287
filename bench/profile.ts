/**
 * CPU profiles of one client alone against the fixture server:
 *
 *   npx tsx bench/profile.ts [--client=ours|official|raw] [--concurrency=1] [--seconds=5] [--limit=1]
 *
 * Runs `node --cpu-prof` on the client's solo entry in loop mode, then prints where the time goes:
 * self time by function and by package/file, and inclusive time of our pipeline's functions.
 * The .cpuprofile is kept in bench/.cache/profiles (open it in Chrome DevTools or speedscope).
 */
import { fork, spawnSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { SourceMap } from "node:module"
import * as path from "node:path"
import { buildRunnable, cacheDir, repoDir } from "./build.js"
import { describeInstancesBody } from "./fixtures.js"

const arg = (k: string, d: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d
const client = arg("client", "ours")
const concurrency = arg("concurrency", "1")
const seconds = arg("seconds", "5")
const limit = arg("limit", "1")
// --profile=false: only the loop's figures (no profiler, no source maps: both cost CPU per stack trace)
const profiling = arg("profile", "true") !== "false"

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: Array<number>
  hitCount?: number
}
interface Profile {
  nodes: Array<Node>
  samples: Array<number>
  timeDeltas: Array<number>
  startTime: number
  endTime: number
}

/** Self and inclusive time per function and per file from a .cpuprofile. */
export const summarise = (file: string, top = 30): string => {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const selfUs = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const short = (url: string) => {
    const u = url.replace(/^file:\/\//, "")
    const nm = u.lastIndexOf("node_modules/")
    if (nm >= 0) return u.slice(nm + 13)
    if (u.startsWith(repoDir)) return u.slice(repoDir.length + 1)
    return u || "(native/internal)"
  }
  // map bundle positions back to src/ and bench/ through the bundle's source map
  const maps = new Map<string, SourceMap | undefined>()
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      let m: SourceMap | undefined
      try {
        m = new SourceMap(JSON.parse(readFileSync(url.replace(/^file:\/\//, "") + ".map", "utf8")))
      } catch {
        m = undefined
      }
      maps.set(url, m)
    }
    return maps.get(url)
  }
  for (const n of p.nodes) {
    const m = n.callFrame.url.includes("/.cache/") ? mapOf(n.callFrame.url) : undefined
    const e = m?.findEntry(n.callFrame.lineNumber, n.callFrame.columnNumber) as { originalSource?: string; originalLine?: number } | undefined
    if (e && e.originalSource) {
      n.callFrame.url = path.resolve(path.dirname(n.callFrame.url.replace(/^file:\/\//, "")), e.originalSource.replace(/^file:\/\//, ""))
      n.callFrame.lineNumber = e.originalLine ?? 0
    }
  }
  const fnKey = (n: Node) => `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`
  const pkgKey = (n: Node) => {
    const u = short(n.callFrame.url)
    if (u.startsWith("effect/")) return "effect"
    if (u.startsWith("@effect/platform")) return "@effect/platform"
    if (u.startsWith("undici/")) return "undici"
    if (u.startsWith("node:")) return "node internals (" + u.split("/")[0] + ")"
    if (n.callFrame.functionName === "(garbage collector)") return "(garbage collector)"
    if (n.callFrame.functionName === "(program)" || n.callFrame.functionName === "(idle)") return n.callFrame.functionName
    return u.startsWith("src/") || u.startsWith("bench/") ? u : u.replace(/:\d+$/, "")
  }
  const self = new Map<string, number>()
  const pkg = new Map<string, number>()
  const incl = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!
    self.set(fnKey(n), (self.get(fnKey(n)) ?? 0) + us)
    pkg.set(pkgKey(n), (pkg.get(pkgKey(n)) ?? 0) + us)
    // inclusive: each distinct function on the stack once
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = fnKey(byId.get(cur)!)
      if (seen.has(k)) continue
      seen.add(k)
      incl.set(k, (incl.get(k) ?? 0) + us)
    }
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
  const lines: Array<string> = [`profile ${path.basename(file)}: ${(total / 1e6).toFixed(2)} s sampled`, "", "self time by package/file:"]
  for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`  ${pct(v)}  ${k}`)
  lines.push("", "self time by function:")
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`)
  lines.push("", "inclusive time, src/ and bench/ functions:")
  for (const [k, v] of [...incl].filter(([k]) => / (src|bench)\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`)
  return lines.join("\n")
}

const main = async () => {
  const built = await buildRunnable(`solo/${client}.ts`, `solo-${client}`)
  const server = await buildRunnable("server.ts", "server")
  if (!built.file || !server.file) throw new Error(built.error ?? server.error)
  const fixture = path.join(cacheDir, "describe-instances-profile.json")
  writeFileSync(fixture, describeInstancesBody(Number(limit)))
  const srv = fork(server.file, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, BENCH_FIXTURE_SMALL: fixture, BENCH_FIXTURE_LARGE: fixture } })
  const ports = await new Promise<{ small: number }>((resolve) => srv.once("message", (m: { small: number }) => resolve(m)))
  const dir = path.join(cacheDir, "profiles")
  mkdirSync(dir, { recursive: true })
  const name = `${client}-c${concurrency}-n${limit}-${Date.now()}.cpuprofile`
  const flags = profiling ? ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, "--enable-source-maps"] : []
  const res = spawnSync(process.execPath, [...flags, built.file], {
    env: { ...process.env, BENCH_PORT: String(ports.small), BENCH_MODE: "loop", BENCH_CONCURRENCY: concurrency, BENCH_SECONDS: seconds, BENCH_LIMIT: limit },
    encoding: "utf8"
  })
  srv.kill()
  process.stdout.write(`${client}, concurrency ${concurrency}, ${limit} instance(s): ${res.stdout.trim()}${res.stderr ? `\n${res.stderr}` : ""}\n`)
  const file = path.join(dir, name)
  if (!profiling) return
  if (statSync(file, { throwIfNoEntry: false })) process.stdout.write(summarise(file) + `\n\nprofile: ${path.relative(process.cwd(), file)}\n`)
  else process.stdout.write(`no profile written; files: ${readdirSync(dir).join(", ")}\n`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(repoDir, "bench/profile.ts")) void main()
