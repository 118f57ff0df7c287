/**
 * esbuild steps of the kit: the measuring processes are plain node on bundled JS (the SDK's
 * sources bundled in, npm packages external), so no TypeScript loader runs while measuring; and
 * the one-call bundles whose size we report.
 */
import * as esbuild from "esbuild"
import { existsSync, mkdirSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

export const benchDir = path.dirname(fileURLToPath(import.meta.url))
export const repoDir = path.resolve(benchDir, "..")
export const cacheDir = path.join(benchDir, ".cache")
export const generatedSource = path.join(repoDir, "src/generated/cvm/v20170312.ts")
export const generatedExists = (): boolean => existsSync(generatedSource)

/** The generated CVM module is optional: when absent its import stays external and fails at run time. */
const optionalGenerated: esbuild.Plugin = {
  name: "optional-generated",
  setup(b) {
    b.onResolve({ filter: /services\/cvm\/v20170312(\.js)?$/ }, (args) => (generatedExists() ? undefined : { path: args.path, external: true }))
  }
}

export interface Built {
  readonly file: string | undefined
  readonly error: string | undefined
}

/**
 * Bundle `entry` (relative to bench/) to `.cache/<name>.mjs`: npm packages external (loaded from
 * node_modules as a user's program would), or with `all` everything in one file (a deployment bundle).
 */
export const buildRunnable = async (entry: string, name: string, all = false): Promise<Built> => {
  mkdirSync(cacheDir, { recursive: true })
  const outfile = path.join(cacheDir, `${name}.mjs`)
  try {
    await esbuild.build({
      entryPoints: [path.join(benchDir, entry)],
      outfile,
      bundle: true,
      ...(all ? {} : { packages: "external" as const }),
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: all ? false : "linked",
      logLevel: "silent",
      plugins: [optionalGenerated],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" }
    })
    return { file: outfile, error: undefined }
  } catch (e) {
    const errs = (e as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors
    return { file: undefined, error: errs ? errs.map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ""}${x.text}`).join("; ") : String(e) }
  }
}

export interface BundleSize {
  readonly name: string
  readonly minifiedBytes: number | null
  readonly gzipBytes: number | null
  readonly error?: string
}

/** The minified (and gzipped) bundle of a program given as source, or as a file of bench/ (`{ entry }`). */
const sizeOf = async (name: string, program: string | { readonly entry: string }, external: Array<string>): Promise<BundleSize> => {
  try {
    const r = await esbuild.build({
      ...(typeof program === "string"
        ? { stdin: { contents: program, resolveDir: benchDir, sourcefile: `${name}.ts`, loader: "ts" as const } }
        : { entryPoints: [path.join(benchDir, program.entry)] }),
      bundle: true,
      minify: true,
      write: false,
      platform: "node",
      format: "esm",
      target: "node20",
      external,
      logLevel: "silent",
      metafile: false
    })
    const out = r.outputFiles[0].contents
    return { name, minifiedBytes: out.length, gzipBytes: gzipSync(out, { level: 9 }).length }
  } catch (e) {
    const errs = (e as { errors?: Array<{ text: string }> }).errors
    return { name, minifiedBytes: null, gzipBytes: null, error: errs ? errs.map((x) => x.text).join("; ").slice(0, 600) : String(e) }
  }
}

const oursProgram = (transport: "fetch" | "undici"): string => {
  const gen = generatedExists()
  return [
    `import * as Effect from "effect/Effect"`,
    `import * as Layer from "effect/Layer"`,
    `import * as Redacted from "effect/Redacted"`,
    transport === "fetch" ? `import * as FetchHttpClient from "@effect/platform/FetchHttpClient"` : `import * as UndiciHttpClient from "../src/node/UndiciHttpClient.js"`,
    `import * as Client from "../src/Client.js"`,
    `import { Credentials } from "../src/Credentials.js"`,
    gen ? `import { describeInstances } from "../src/generated/cvm/v20170312.js"` : "",
    `const Live = Client.layer({ region: "ap-guangzhou" }).pipe(`,
    `  Layer.provide(Layer.succeed(Credentials, { get: Effect.succeed({ secretId: process.env.ID ?? "", secretKey: Redacted.make(process.env.KEY ?? "") }) })),`,
    `  Layer.provide(${transport === "fetch" ? "FetchHttpClient.layer" : "UndiciHttpClient.layerDefault"}))`,
    `const program = ${gen ? `describeInstances({ Limit: 1 })` : `Client.call("cvm", "2017-03-12", "DescribeInstances", { Limit: 1 })`}`,
    `Effect.runPromise(program.pipe(Effect.provide(Live))).then(console.log)`
  ].join("\n")
}

const officialProgram = [
  `import * as tencentcloud from "tencentcloud-sdk-nodejs-cvm"`,
  `const c = new tencentcloud.cvm.v20170312.Client({ credential: { secretId: process.env.ID, secretKey: process.env.KEY }, region: "ap-guangzhou" })`,
  `c.DescribeInstances({ Limit: 1 }).then(console.log)`
].join("\n")

const effectExternal = ["effect", "effect/*", "@effect/platform", "@effect/platform/*", "undici"]

/**
 * One-call program bundles: ours (fetch transport; effect bundled / external), ours with undici,
 * official, and the two floors of bench/solo (floor.ts: effect's runtime around node:http; stack.ts:
 * that plus an effect/Schema decode and @effect/platform's HttpClient), effect bundled and external.
 */
export const bundleSizes = async (): Promise<{ path: string; sizes: Record<string, BundleSize> }> => {
  const [bundled, external, undiciExt, official, floorBundled, floorExternal, stackBundled, stackExternal] = await Promise.all([
    sizeOf("ours, effect+platform bundled (fetch transport)", oursProgram("fetch"), []),
    sizeOf("ours, effect+platform external", oursProgram("fetch"), effectExternal),
    sizeOf("ours, undici transport, effect bundled, undici external", oursProgram("undici"), ["undici"]),
    sizeOf("official", officialProgram, []),
    sizeOf("floor (effect around node:http), effect bundled", { entry: "solo/floor.ts" }, []),
    sizeOf("floor (effect around node:http), effect external", { entry: "solo/floor.ts" }, effectExternal),
    sizeOf("stack floor (+ Schema, platform HttpClient), bundled", { entry: "solo/stack.ts" }, []),
    sizeOf("stack floor (+ Schema, platform HttpClient), external", { entry: "solo/stack.ts" }, effectExternal)
  ])
  return {
    path: generatedExists() ? "generated describeInstances" : "Client.call",
    sizes: { oursBundled: bundled, oursExternal: external, oursUndiciBundledUndiciExternal: undiciExt, official, floorBundled, floorExternal, stackBundled, stackExternal }
  }
}
