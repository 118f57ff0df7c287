/**
 * The measuring process. run.ts forks it (plain node on the esbuild output, `--expose-gc`) with one
 * task; it answers over IPC and exits. Tasks:
 *
 * - `paired`: all clients in one process, alternating slices (order rotated per round) for each
 *   scenario; per slice: calls, wall time, process CPU time, latencies, and the server's CPU time
 *   over the same window (to check it was not the bottleneck).
 * - `sign`: signatures per second, ours vs raw vs the official `Sign.sign3`, alternating slices.
 * - `decode`: the 100-instance text: JSON.parse vs our lossless parse vs parse + schema decode.
 */
import * as http from "node:http"
import { pathToFileURL } from "node:url"
import type { OursClient } from "./ours.js"
import { makeOfficialClient } from "./official.js"
import { makeRawClient, makeRawSigner } from "./raw.js"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import SignImport from "tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js"

// a CommonJS module with `exports.default`: node's ESM loader hands over `module.exports`
type Sign3 = { readonly sign3: (o: Record<string, unknown>) => string }
const Sign: Sign3 = (SignImport as unknown as { sign3?: unknown }).sign3 ? (SignImport as unknown as Sign3) : (SignImport as unknown as { default: Sign3 }).default

/**
 * `floor`: the raw client's call run as an Effect (`Effect.async` around it) through one
 * `runPromise` per call, or from fibers: what any Effect call costs before an SDK does anything.
 * `-fibers`: the same client driven by fibers in one `runPromise` (as an Effect program calls).
 */
export type ClientName = "ours" | "official" | "raw" | "floor" | "ours-fibers" | "floor-fibers"

export interface Ports {
  readonly small: number
  readonly large: number
}

export interface Scenario {
  readonly name: string
  readonly size: "small" | "large"
  readonly concurrency: number
}

export interface Slice {
  readonly client: ClientName
  readonly round: number
  readonly calls: number
  readonly wallMs: number
  readonly cpuMicros: number
  readonly serverCpuMicros: number
  readonly errors: number
  readonly latenciesMs: ReadonlyArray<number>
}

export interface Task {
  readonly task: "paired" | "sign" | "decode"
  readonly ports: Ports
  readonly oursModule: string | undefined
  readonly quick: boolean
  readonly scenarios?: ReadonlyArray<Scenario>
  readonly rounds?: number
  readonly sliceMs?: number
  readonly largeBody?: string
  readonly fibers?: boolean
  readonly clients?: ReadonlyArray<ClientName>
}

const SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
const SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
const REGION = "ap-guangzhou"

const serverStats = (port: number): Promise<{ cpuMicros: number; requests: number }> =>
  new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/__stats", agent: false }, (res) => {
      let s = ""
      res.setEncoding("utf8")
      res.on("data", (c) => (s += c))
      res.on("end", () => resolve(JSON.parse(s)))
    })
    req.on("error", reject)
  })

interface Caller {
  readonly call: (params: Record<string, unknown>) => Promise<unknown>
  readonly fiberLoop?: OursClient["fiberLoop"]
  readonly close: () => Promise<void>
}

export const loadOurs = async (modulePath: string | undefined): Promise<{ module: typeof import("./ours.js") | undefined; error: string | undefined }> => {
  if (!modulePath) return { module: undefined, error: "not built" }
  try {
    return { module: (await import(pathToFileURL(modulePath).href)) as typeof import("./ours.js"), error: undefined }
  } catch (e) {
    return { module: undefined, error: String(e instanceof Error ? e.stack ?? e.message : e).slice(0, 800) }
  }
}

const makeCaller = async (name: ClientName, port: number, ours: typeof import("./ours.js") | undefined): Promise<Caller & { path?: string; credentialsLayer?: string }> => {
  const origin = `http://127.0.0.1:${port}`
  switch (name) {
    case "raw": {
      const c = makeRawClient(origin, SECRET_ID, SECRET_KEY, REGION)
      return { call: (p) => c.call("DescribeInstances", p), close: c.close }
    }
    case "floor": {
      const c = makeRawClient(origin, SECRET_ID, SECRET_KEY, REGION)
      const rt = ManagedRuntime.make(Layer.empty)
      await rt.runPromise(Effect.void)
      const effectOf = (p: Record<string, unknown>) =>
        Effect.async<unknown, unknown>((resume) => {
          c.call("DescribeInstances", p).then((a) => resume(Effect.succeed(a)), (e) => resume(Effect.fail(e)))
        })
      return {
        call: (p) => rt.runPromise(effectOf(p)),
        fiberLoop: (params, concurrency, deadline, onCall) => {
          const loop: Effect.Effect<void, unknown> = Effect.suspend(() => {
            const t = performance.now()
            return Effect.flatMap(effectOf(params), () => {
              onCall(performance.now() - t)
              return performance.now() < deadline ? loop : Effect.void
            })
          })
          return rt.runPromise(Effect.forEach(Array.from({ length: concurrency }), () => loop, { concurrency: "unbounded", discard: true }))
        },
        close: async () => {
          await rt.dispose()
          await c.close()
        }
      }
    }
    case "official": {
      const c = makeOfficialClient(`127.0.0.1:${port}`, SECRET_ID, SECRET_KEY, REGION)
      return { call: c.call, close: c.close }
    }
    case "ours-fibers":
    case "floor-fibers":
      throw new Error(`${name} is a driver of another client, not a client`)
    case "ours": {
      if (!ours) throw new Error("our client did not load")
      const c = await ours.makeOursClient(origin, SECRET_ID, SECRET_KEY, REGION)
      return { call: c.call, fiberLoop: c.fiberLoop, close: c.close, path: c.path, credentialsLayer: c.credentialsLayer }
    }
  }
}

const paramsOf = (size: "small" | "large") => (size === "small" ? { Limit: 1 } : { Limit: 100 })

/** One slice: `concurrency` async loops calling until the deadline. */
const runSlice = async (caller: Caller, params: Record<string, unknown>, concurrency: number, ms: number, port: number, fibers: boolean) => {
  const latencies: Array<number> = []
  let calls = 0
  let errors = 0
  // no forced gc() here: measured, a full GC before a slice raises our client's CPU per call by
  // 50-75% over the next second (compiled code and feedback are dropped); the rotation of the
  // order across rounds spreads one client's leftover garbage evenly instead
  const s0 = await serverStats(port)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const deadline = t0 + ms
  if (fibers && caller.fiberLoop) {
    await caller.fiberLoop(params, concurrency, deadline, (l) => {
      calls++
      latencies.push(l)
    })
  } else {
    const loop = async () => {
      while (performance.now() < deadline) {
        const s = performance.now()
        try {
          await caller.call(params)
          calls++
          latencies.push(performance.now() - s)
        } catch (e) {
          errors++
          if (errors === 1) process.stderr.write(`call failed: ${String(e).slice(0, 300)}\n`)
        }
      }
    }
    const loops: Array<Promise<void>> = []
    for (let i = 0; i < concurrency; i++) loops.push(loop())
    await Promise.all(loops)
  }
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const s1 = await serverStats(port)
  return { calls, errors, wallMs, cpuMicros: cpu.user + cpu.system, serverCpuMicros: s1.cpuMicros - s0.cpuMicros, latenciesMs: latencies }
}

const paired = async (t: Task) => {
  const { module: ours, error: oursError } = await loadOurs(t.oursModule)
  const names: Array<ClientName> = (t.clients ?? ["ours", "official", "raw", "floor"]).filter((n) => n !== "ours" || ours !== undefined)
  const scenarios = t.scenarios ?? []
  const rounds = t.rounds ?? 3
  const sliceMs = t.sliceMs ?? 500
  const out: Record<string, { slices: Array<Slice>; fiberSlices: Array<Slice> }> = {}
  const meta: Record<string, unknown> = { oursError }
  const callers: Record<string, Record<string, Caller>> = { small: {}, large: {} }
  for (const size of ["small", "large"] as const) {
    for (const n of names) {
      const c = await makeCaller(n, t.ports[size], ours)
      if (c.path) meta.oursPath = c.path
      if (c.credentialsLayer) meta.oursCredentials = c.credentialsLayer
      callers[size][n] = c
    }
  }
  // warm-up: JIT (our pipeline has much more code to optimise; V8's background compiler threads
  // count in process CPU time, so a short warm-up overstates the bigger clients), connection pools
  for (const size of ["small", "large"] as const) {
    for (const n of names) {
      await runSlice(callers[size][n], paramsOf(size), 1, (t.quick ? 500 : 1500) / (size === "large" ? 2 : 1), t.ports[size], false)
      await runSlice(callers[size][n], paramsOf(size), 64, (t.quick ? 500 : 1500) / (size === "large" ? 2 : 1), t.ports[size], false)
    }
  }
  for (const sc of scenarios) {
    const slices: Array<Slice> = []
    const fiberSlices: Array<Slice> = []
    for (let r = 0; r < rounds; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length])
      for (const n of order) {
        const s = await runSlice(callers[sc.size][n], paramsOf(sc.size), sc.concurrency, sliceMs, t.ports[sc.size], false)
        slices.push({ client: n, round: r, ...s })
      }
      if (t.fibers) {
        for (const n of ["ours", "floor"] as const) {
          if (!names.includes(n)) continue
          const s = await runSlice(callers[sc.size][n], paramsOf(sc.size), sc.concurrency, sliceMs, t.ports[sc.size], true)
          fiberSlices.push({ client: `${n}-fibers`, round: r, ...s })
        }
      }
    }
    out[sc.name] = { slices, fiberSlices }
  }
  for (const size of ["small", "large"] as const) for (const n of names) await callers[size][n].close()
  return { meta, scenarios: out }
}

/** Alternating slices of a synchronous function; returns ops/s per slice. */
const opsSlices = (fns: Record<string, () => void>, rounds: number, ms: number) => {
  const res: Record<string, Array<number>> = {}
  const names = Object.keys(fns)
  for (const n of names) {
    res[n] = []
    const end = performance.now() + 50
    while (performance.now() < end) fns[n]()
  }
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length])
    for (const n of order) {
      const f = fns[n]
      let ops = 0
      const t0 = performance.now()
      const deadline = t0 + ms
      while (true) {
        for (let i = 0; i < 16; i++) f()
        ops += 16
        if (performance.now() >= deadline) break
      }
      res[n].push((ops * 1000) / (performance.now() - t0))
    }
  }
  return res
}

const sign = async (t: Task) => {
  const { module: ours, error } = await loadOurs(t.oursModule)
  const params = { Limit: 1, Offset: 0, Filters: [{ Name: "zone", Values: ["ap-guangzhou-3"] }] }
  const raw = makeRawSigner(SECRET_ID, SECRET_KEY, "cvm")
  const ts = Math.floor(Date.now() / 1000)
  let sink = 0
  const fns: Record<string, () => void> = {
    raw: () => {
      sink += raw.sign("cvm.tencentcloudapi.com", "DescribeInstances", "2017-03-12", REGION, JSON.stringify(params), ts).Authorization.length
    },
    official: () => {
      sink += Sign.sign3({
        method: "POST",
        url: "https://cvm.tencentcloudapi.com/",
        payload: params,
        timestamp: ts,
        service: "cvm",
        secretId: SECRET_ID,
        secretKey: SECRET_KEY,
        multipart: false,
        boundary: "",
        headers: { "Content-Type": "application/json" }
      }).length
    }
  }
  if (ours) {
    const s = ours.makeOursSign(SECRET_ID, SECRET_KEY)
    fns.ours = () => {
      sink += s(params, ts).headers.Authorization.length
    }
  }
  const res = opsSlices(fns, t.quick ? 3 : 7, t.quick ? 150 : 400)
  return { perSecond: res, oursError: error, sink }
}

const decode = async (t: Task) => {
  const { module: ours, error } = await loadOurs(t.oursModule)
  const text = t.largeBody!
  let sink = 0
  const fns: Record<string, () => void> = { "JSON.parse": () => (sink += (JSON.parse(text) as { Response: { TotalCount: number } }).Response.TotalCount) }
  let meta: Record<string, unknown> = { oursError: error }
  if (ours) {
    const d = await ours.makeDecode(text)
    meta = { ...meta, schemaName: d.schemaName, problem: d.problem }
    fns["Json.parse (lossless)"] = () => void d.losslessParse(text)
    if (d.fullDecode) {
      const f = d.fullDecode
      fns["Json.parse + schema decode"] = () => void f(text)
      if (d.driftedText !== undefined) {
        const dt = d.driftedText
        fns["JSON.parse (drifted answer)"] = () => void JSON.parse(dt)
      }
      for (const [name, g] of Object.entries(d.variants)) {
        const input = name.includes("drift") ? d.driftedText! : text
        fns[name] = () => void g(input)
      }
    }
  }
  // µs per op from ops/s
  const res = opsSlices(fns, t.quick ? 3 : 7, t.quick ? 150 : 500)
  return { perSecond: res, meta, bytes: text.length, sink }
}

process.once("message", (t: Task) => {
  const run = t.task === "paired" ? paired(t) : t.task === "sign" ? sign(t) : decode(t)
  run.then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (e) => process.send!({ ok: false, error: String(e instanceof Error ? e.stack : e) }, () => process.exit(1))
  )
})
