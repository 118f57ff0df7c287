/**
 * The emulator on the PATH (issue 15, item 4): package.json's `bin` names the built CLI, which
 * starts with a shebang, and `--help` is written for package users (`npx tencentcloud-emulator`).
 * CI's pack smoke test (scripts/pack-smoke.sh) runs the installed bin itself.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))

describe("tencentcloud-emulator", () => {
  it("package.json bin points at the built CLI, whose source starts with a shebang", () => {
    expect(pkg.bin).toEqual({ "tencentcloud-emulator": "./dist/emulator/cli.js" })
    const source = fs.readFileSync(path.join(ROOT, "src/emulator/cli.ts"), "utf8")
    expect(source.startsWith("#!/usr/bin/env node\n")).toBe(true)
  })

  it("--help speaks to package users", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "src/emulator/cli.ts", "--help"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain("Usage: npx tencentcloud-emulator [options]")
    expect(run.stdout).not.toContain("npm run emulator")
    expect(run.stdout).toContain("--port <n>")
  }, 60_000)
})
