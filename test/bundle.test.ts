/**
 * One generated action, bundled the way an application would (esbuild, minified, `effect` and
 * `@effect/platform` external), stays within 10 KB (issue 3's target; 8.5 KB when written). The size
 * is deterministic, so it is checked here rather than in the benchmark.
 */
import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

describe("bundle size", () => {
  it("one action (cvm describeInstances) bundles to at most 10 KB with effect external", async () => {
    const out = await esbuild.build({
      stdin: {
        contents: `import { describeInstances } from "./src/generated/cvm/v20170312.js"\nexport const program = describeInstances({ Limit: 1 })\n`,
        resolveDir: root,
        loader: "ts"
      },
      bundle: true,
      minify: true,
      format: "esm",
      platform: "node",
      external: ["effect", "@effect/platform"],
      write: false,
      logLevel: "silent"
    })
    const bytes = out.outputFiles[0].contents.length
    expect(bytes).toBeLessThanOrEqual(10 * 1024)
    // unused actions of the same product are dropped by the bundler
    expect(out.outputFiles[0].text).toContain("DescribeInstances")
    expect(out.outputFiles[0].text).not.toContain("DescribeImages")
  })
})
