/**
 * The emulator for the COS benchmark, in its own process (so its storage never counts in a
 * client's RSS), storing objects in memory, or on disk under TENCENTCLOUD_EMULATOR_COS_DIR. Sends its
 * address to the parent over IPC; stops when the parent disconnects. `{ cpu: "start" | "stop" }`
 * measures its CPU time over a transfer; `{ profile: file }` starts a CPU profile and
 * `{ stop: true }` writes it (one profile per transfer).
 */
import * as fs from "node:fs"
import * as inspector from "node:inspector"
import * as Emulator from "../src/emulator/Emulator.js"

const emu = await Emulator.start({ recordLimit: 0 })
const session = new inspector.Session()
const post = (method: string) => new Promise<any>((resolve, reject) => session.post(method, (err, r) => (err ? reject(err) : resolve(r))))
let profiling: string | undefined
let cpu0 = process.cpuUsage()
process.on("message", async (m: { profile?: string; stop?: boolean; cpu?: "start" | "stop" }) => {
  if (m.cpu === "start") {
    cpu0 = process.cpuUsage()
    process.send?.({ ok: true })
  } else if (m.cpu === "stop") {
    const d = process.cpuUsage(cpu0)
    process.send?.({ cpuMs: (d.user + d.system) / 1000 })
  } else if (m.profile !== undefined) {
    if (profiling === undefined) {
      session.connect()
      await post("Profiler.enable")
    }
    profiling = m.profile
    await post("Profiler.start")
    process.send?.({ started: true })
  } else if (m.stop === true && profiling !== undefined) {
    fs.writeFileSync(profiling, JSON.stringify((await post("Profiler.stop")).profile))
    process.send?.({ stopped: true })
  }
})
process.send?.({ address: emu.address })
process.on("disconnect", () => {
  void emu.close().then(() => process.exit(0))
})
