/**
 * One client alone in a process, for what cannot be measured side by side: cold start
 * (`BENCH_MODE=cold`: one call, exit), memory (`BENCH_MODE=rss`: calls up to each of
 * `BENCH_CHECKPOINTS`, printing RSS at each as one JSON line) and profiles (`BENCH_MODE=loop`, used by
 * profile.ts). Each client has its own entry so that
 * a process loads only that client's code.
 */
const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

export const port = (): number => Number(process.env.BENCH_PORT)

export const runSolo = async (call: (params: Record<string, unknown>) => Promise<unknown>): Promise<never> => {
  if (process.env.BENCH_MODE === "loop") {
    // for profiles: warm up, then call for BENCH_SECONDS at BENCH_CONCURRENCY; prints calls and CPU µs/call
    const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1)
    const params = { Limit: Number(process.env.BENCH_LIMIT ?? 1) }
    const run = async (ms: number) => {
      let calls = 0
      const deadline = performance.now() + ms
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            await call(params)
            calls++
          }
        })
      )
      return calls
    }
    await run(1000)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const calls = await run(Number(process.env.BENCH_SECONDS ?? 5) * 1000)
    const cpu = process.cpuUsage(cpu0)
    process.stdout.write(JSON.stringify({ calls, callsPerSecond: Math.round((calls * 1000) / (performance.now() - t0)), cpuMicrosPerCall: Math.round((cpu.user + cpu.system) / calls) }) + "\n")
    process.exit(0)
  }
  if (process.env.BENCH_MODE !== "rss") {
    await call({ Limit: 1 })
    process.exit(0)
  }
  const checkpoints = (process.env.BENCH_CHECKPOINTS ?? "10000,100000").split(",").map(Number)
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16)
  const samples: Array<{ calls: number; rssMB: number; rssAfterGcMB: number; heapUsedAfterGcMB: number; ms: number }> = []
  let calls = 0
  let errors = 0
  const t0 = performance.now()
  for (const target of checkpoints) {
    const loop = async () => {
      while (calls < target) {
        calls++
        try {
          await call({ Limit: 1 })
        } catch {
          errors++
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, loop))
    const before = process.memoryUsage.rss()
    gc()
    gc()
    const m = process.memoryUsage()
    samples.push({ calls: target, rssMB: before / 2 ** 20, rssAfterGcMB: m.rss / 2 ** 20, heapUsedAfterGcMB: m.heapUsed / 2 ** 20, ms: performance.now() - t0 })
  }
  process.stdout.write(JSON.stringify({ samples, errors }) + "\n")
  process.exit(0)
}
