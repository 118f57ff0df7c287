/**
 * The emulator in its own process for the benchmark: a no-op action (`cvm` 2017-03-12 `Noop`,
 * empty request, answer `{RequestId}`) beside the stateful ones; signatures checked as always.
 * Sends `{ port, pid }` over IPC; `GET /__cpu` is not needed: run.ts reads this process's CPU
 * through `process.cpuUsage` sent on request.
 */
import * as Schema from "effect/Schema"
import * as Emulator from "../src/emulator/index.js"

const main = async () => {
  const noop = Emulator.Catalog.fromSchemas([
    {
      service: "cvm",
      version: "2017-03-12",
      actions: { Noop: { input: Schema.Struct({}), output: Schema.Struct({ RequestId: Schema.String }) } }
    }
  ])
  const emu = await Emulator.start({ catalog: noop, recordLimit: 16 })
  process.on("message", (m) => {
    if (m === "cpu") {
      const c = process.cpuUsage()
      process.send?.({ cpuMicros: c.user + c.system })
    }
  })
  process.send?.({ port: emu.port, pid: process.pid })
  process.on("disconnect", () => void emu.close().then(() => process.exit(0)))
}
void main()
