/**
 * Over every generated service version (every action, two seeds): the emulator's generated answer
 * passes its own strict answer check, so strict answers by default never turn a generated answer
 * into an `InternalError`. Pure: no server.
 */
import { describe, expect, it } from "@effect/vitest"
import { checkAnswer } from "../../src/emulator/api3/answerCheck.js"
import * as Catalog from "../../src/emulator/catalog.js"
import { response } from "../../src/emulator/generate.js"
import { services } from "../../src/generated/_registry.js"

describe("strict answers over every generated action", () => {
  it("every generated answer matches its response schema strictly", { timeout: 300_000 }, async () => {
    let actions = 0
    const failures: Array<string> = []
    const registry = services as Catalog.Registry
    for (const service of Object.keys(registry)) {
      for (const version of Object.keys(registry[service])) {
        const catalog = Catalog.fromRegistry({ [service]: { [version]: registry[service][version] } })
        const mod = (await registry[service][version]()) as Catalog.GeneratedModule
        for (const action of Object.keys(mod._actions)) {
          const found = await catalog.lookup(service, version, action)
          if (found._tag !== "Found") continue
          actions++
          for (const seed of [0, 1]) {
            const body = response(found.def.output(), `${service}|${version}|${action}`, "{}", {}, seed) as Record<string, unknown>
            body.RequestId = "r"
            const wrong = checkAnswer(found.def, body)
            if (wrong !== undefined && failures.length < 20) failures.push(`${service} ${version} ${action} (seed ${seed}): ${wrong}`)
          }
        }
      }
    }
    expect(failures).toEqual([])
    expect(actions).toBeGreaterThan(15_000)
  })
})
