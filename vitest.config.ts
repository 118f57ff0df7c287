import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig, type Plugin } from "vitest/config"

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "src")

/** `effect-tencentcloud/...` (as the examples and docs import it) resolves to `src/`, like tsconfig.json's `paths`. */
const selfImport: Plugin = {
  name: "effect-tencentcloud-self-import",
  enforce: "pre",
  resolveId(id) {
    if (id !== "effect-tencentcloud" && !id.startsWith("effect-tencentcloud/")) return null
    const sub = id.slice("effect-tencentcloud".length + 1)
    const candidates =
      sub === "" ? ["index.ts"] : sub === "node" || sub === "emulator" ? [`${sub}/index.ts`] : [`${sub}.ts`, `generated/${sub}.ts`, `${sub}/index.ts`]
    for (const c of candidates) {
      const file = path.join(src, c)
      if (fs.existsSync(file)) return file
    }
    return null
  }
}

export default defineConfig({
  plugins: [selfImport],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "threads",
    reporters: ["default", "./test/summaryReporter.ts"]
  }
})
