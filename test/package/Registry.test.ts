/**
 * Finding a service from code (issue 15, item 8): services, versions and actions from the
 * registry, and the service list page shipped in the package.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as fs from "node:fs"
import * as Registry from "../../src/Registry.js"

describe("Registry", () => {
  it.effect("lists services, versions and a version's actions", () =>
    Effect.gen(function* () {
      expect(Registry.services.length).toBeGreaterThan(200)
      expect(Registry.services).toContain("cvm")
      expect([...Registry.services]).toEqual([...Registry.services].sort())
      expect(Registry.versions("cvm")).toContain("2017-03-12")
      expect(Registry.latestVersion("cvm")).toBe(Registry.versions("cvm").at(-1))
      expect(Registry.versions("no-such")).toEqual([])
      expect(Registry.modulePath("cvm", "2017-03-12")).toBe("effect-tencentcloud/cvm/v20170312")
      const actions = yield* Registry.actions("cvm", "2017-03-12")
      const names = actions.map((a) => a.name)
      expect(names).toContain("DescribeInstances")
      expect(names).toContain("RunInstances")
      expect(actions.every((a) => a.service === "cvm" && a.version === "2017-03-12")).toBe(true)
      expect(names).toEqual([...names].sort())
    }))

  it.effect("an unknown service or version is a typed error listing what exists", () =>
    Effect.gen(function* () {
      const e1 = yield* Effect.flip(Registry.actions("nope"))
      expect(e1._tag).toBe("RequestValidationError")
      const e2 = yield* Effect.flip(Registry.actions("cvm", "1999-01-01"))
      expect(e2.message).toContain("2017-03-12")
    }))

  it("docs/service-list.md names every service and is packed (package.json files)", () => {
    const list = fs.readFileSync(new URL("../../docs/service-list.md", import.meta.url), "utf8")
    const missing = Registry.services.filter((s) => !list.includes(`\`${s}\``) && !list.includes(`| ${s} `) && !list.includes(`/${s}`))
    expect(missing).toEqual([])
    const pkg = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
    expect(pkg.files).toContain("docs")
  })
})
