/**
 * A program bundled the way an application would (esbuild, minified, ESM for node): its size, its
 * text and the bytes each input keeps.
 */
import * as esbuild from "esbuild"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

export const bundle = async (contents: string, external: Array<string> = ["effect", "@effect/platform"]) => {
  const out = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    external,
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  const output = Object.values(out.metafile.outputs)[0]
  const kept = new Map(Object.entries(output.inputs).filter(([, v]) => v.bytesInOutput > 0).map(([k, v]) => [k, v.bytesInOutput]))
  return { bytes: out.outputFiles[0].contents.length, text: out.outputFiles[0].text, kept }
}
