/**
 * The one-call program a user writes (`Client.layer` + their own `Credentials` + a transport + one
 * generated action), bundled by esbuild as an application would: only what it uses is kept.
 *
 * Guards two things that silently undo tree-shaking:
 * - a module-level call esbuild cannot prove pure (a `Layer`, an `Effect`, a `Context.Tag` class,
 *   a schema built at load) keeps its module's code: such constructions carry `/*#__PURE__*\/`;
 * - a dynamic `import()` of one of our modules makes esbuild wrap that module and everything it
 *   reaches in lazy initialisers (`__esm`), which are never tree-shaken (it cost every program
 *   the whole credential chain: profile, STS, CVM role, TKE OIDC).
 */
import { describe, expect, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import * as path from "node:path"
import { bundle as bundleWith, root } from "./helpers/bundle.js"

const bundle = (contents: string) => bundleWith(contents, ["effect", "@effect/platform", "undici"])

const program = (credentials: string, imports = "") => `
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Client from "./src/Client.js"
import * as Credentials from "./src/Credentials.js"
import { describeInstances } from "./src/generated/cvm/v20170312.js"
${imports}
const Live = Client.layer({ region: "ap-guangzhou" }).pipe(Layer.provide(${credentials}), Layer.provide(FetchHttpClient.layer))
Effect.runPromise(describeInstances({ Limit: 1 }).pipe(Effect.provide(Live))).then(console.log)
`

const userCredentials = `Layer.succeed(Credentials.Credentials, { get: Effect.succeed({ secretId: "id", secretKey: Redacted.make("key") }) })`

const providers = ["profile", "sts", "cvmRole", "tke", "cached"].map((p) => `src/internal/credentials/${p}.ts`)

describe("tree-shaking of the one-call program", () => {
  it("keeps no credential provider, no STS action and no lazily initialised module when the user provides Credentials", async () => {
    const b = await bundle(program(userCredentials))
    for (const p of providers) expect(b.kept.has(p), p).toBe(false)
    expect(b.kept.has("src/generated/sts/v20180813.ts")).toBe(false)
    expect(b.text).not.toContain("TENCENTCLOUD_ROLE_ARN")
    expect(b.text).not.toContain("AssumeRole")
    // esbuild's lazy module wrapper: present only when a bundled module is imported dynamically
    expect(b.text).not.toMatch(/__esm|__init/)
    // 80.5 KB when written (100.5 KB before); a guard against losing tree-shaking again
    expect(b.bytes).toBeLessThanOrEqual(84 * 1024)
  })

  it("keeps the default chain when the program uses it", async () => {
    const b = await bundle(program(`Credentials.layerDefault`))
    expect(b.kept.has("src/internal/credentials/profile.ts")).toBe(true)
    expect(b.kept.has("src/internal/credentials/sts.ts")).toBe(true)
    expect(b.text).toContain("TENCENTCLOUD_ROLE_ARN")
  })

  it("has no static import cycle among the package's modules", async () => {
    const out = await esbuild.build({
      entryPoints: [path.join(root, "src/index.ts"), path.join(root, "src/node/index.ts")],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      packages: "external",
      outdir: path.join(root, ".cycles-unused"),
      write: false,
      metafile: true,
      logLevel: "silent"
    })
    const graph = new Map(
      Object.entries(out.metafile.inputs).map(([k, v]) => [k, v.imports.filter((i) => !i.external && i.kind === "import-statement").map((i) => i.path)])
    )
    const cycles: Array<string> = []
    const state = new Map<string, 1 | 2>()
    const stack: Array<string> = []
    const visit = (u: string): void => {
      state.set(u, 1)
      stack.push(u)
      for (const w of graph.get(u) ?? []) {
        if (state.get(w) === 1) cycles.push([...stack.slice(stack.indexOf(w)), w].join(" → "))
        else if (!state.has(w)) visit(w)
      }
      stack.pop()
      state.set(u, 2)
    }
    for (const k of graph.keys()) if (!state.has(k)) visit(k)
    expect(cycles).toEqual([])
  })
})
