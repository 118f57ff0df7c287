/**
 * Over every spec (all service versions, every action): the emulator derives request and response
 * shapes, and the generic generator answers with data that has every member the response requires,
 * of the right wire type, `null` only where the spec allows it. Pure: no server.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Json from "../../src/Json.js"
import { response } from "../../src/emulator/generate.js"
import { fromSpec } from "../../src/emulator/shape.js"
import { check, HAS_SPECS, SPEC_DIR } from "./helpers.js"

describe("generated data over every spec", () => {
  it.skipIf(!HAS_SPECS)("every action of every service version answers spec-shaped data", { timeout: 120_000 }, () => {
    let actions = 0
    let bigints = 0
    const failures: Array<string> = []
    for (const svc of fs.readdirSync(SPEC_DIR)) {
      for (const ver of fs.readdirSync(path.join(SPEC_DIR, svc))) {
        const file = path.join(SPEC_DIR, svc, ver, "api.json")
        if (!fs.existsSync(file)) continue
        const spec = JSON.parse(fs.readFileSync(file, "utf8")) as { actions: Record<string, { input: string; output: string }>; objects: any }
        for (const [name, a] of Object.entries(spec.actions)) {
          actions++
          fromSpec(spec.objects, a.input, "input")
          const out = fromSpec(spec.objects, a.output, "output")
          const body = response(out, `${svc}|${ver}|${name}`, "{}", {}, 0)
          const text = Json.stringify({ Response: { ...body, RequestId: "r" } })
          if (/\d{17,}/.test(text)) bigints++
          const r = check(out, (Json.parse(text) as any).Response, "")
          if (r !== undefined && failures.length < 20) failures.push(`${svc} ${ver} ${name}${r}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(actions).toBeGreaterThan(15_000)
    expect(bigints).toBeGreaterThan(100)
  })
})
