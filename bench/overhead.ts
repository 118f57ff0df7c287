/**
 * The SDK's own CPU per call, without a network: each client answers from a fake transport that
 * resolves the canned DescribeInstances body at once, so what is measured is everything a client
 * does around the exchange (layout, encode, sign, breaker, retry, metrics, parse, decode, the
 * Effect runtime). Slices alternate between the clients in one process; ratios are medians of
 * per-round ratios.
 *
 *   npx tsx bench/overhead.ts [--rounds=8] [--ms=400] [--concurrency=64] [--limit=1] [--profile]
 *
 * `--profile` writes a CPU profile of our client alone (bench/.cache/profiles) and prints its summary.
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { buildRunnable, cacheDir } from "./build.js"
import { describeInstancesBody } from "./fixtures.js"
import { summarise } from "./profile.js"

const arg = (k: string, d: string) => process.argv.find((a) => a.startsWith(`--${k}=`))?.slice(k.length + 3) ?? d
const built = await buildRunnable("solo/overhead.ts", "solo-overhead")
if (!built.file) throw new Error(built.error)
const fixture = path.join(cacheDir, `overhead-${arg("limit", "1")}.json`)
writeFileSync(fixture, describeInstancesBody(Number(arg("limit", "1"))))
const env = { ...process.env, OVERHEAD_FIXTURE: fixture, OVERHEAD_ROUNDS: arg("rounds", "8"), OVERHEAD_MS: arg("ms", "400"), OVERHEAD_CONCURRENCY: arg("concurrency", "64") }
if (process.argv.includes("--profile")) {
  const dir = path.join(cacheDir, "profiles")
  mkdirSync(dir, { recursive: true })
  const name = `overhead-${Date.now()}.cpuprofile`
  const r = spawnSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, "--enable-source-maps", built.file], { env: { ...env, OVERHEAD_ONLY: "ours" }, encoding: "utf8" })
  process.stdout.write(r.stdout + r.stderr + summarise(path.join(dir, name), 45) + "\n")
} else {
  const r = spawnSync(process.execPath, [built.file], { env, encoding: "utf8" })
  process.stdout.write(r.stdout + r.stderr)
}
