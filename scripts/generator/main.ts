/**
 * `npm run codegen [-- --specs DIR --errors DIR --out DIR --check]`
 *
 * Generates `src/generated/<dir>/<vYYYYMMDD>.ts` for every service version of a tccli `services`
 * folder (default `../shared/tencentcloud-api`, error codes from `../shared/tencentcloud-errors`),
 * `src/services/<dir>.ts` re-exporting the latest version, `src/services/_registry.ts` (lazy
 * loaders by service and version) and `docs/service-list.md`. Deterministic: a second run
 * changes nothing. `--check` writes nothing and exits 1 when the committed output differs.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generateAll } from "./run.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const args = process.argv.slice(2)
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const specs = path.resolve(arg("--specs") ?? process.env.TENCENTCLOUD_API_SPECS ?? path.join(root, "../shared/tencentcloud-api"))
const errors = path.resolve(arg("--errors") ?? process.env.TENCENTCLOUD_ERROR_CODES ?? path.join(root, "../shared/tencentcloud-errors"))
const out = path.resolve(arg("--out") ?? path.join(root, "src/generated"))
const docs = path.join(root, "docs/service-list.md")
const check = args.includes("--check")

if (!fs.existsSync(specs)) {
  console.error(`codegen: no specs at ${specs}; pass --specs <tccli services folder>`)
  process.exit(2)
}

const t0 = Date.now()
const result = generateAll({ specs, errors: fs.existsSync(errors) ? errors : undefined, out, docs, check })
const secs = ((Date.now() - t0) / 1000).toFixed(1)
if (check) {
  if (result.changed.length > 0) {
    console.error(`codegen --check: ${result.changed.length} generated files are out of date, e.g.:\n  ${result.changed.slice(0, 10).join("\n  ")}\nrun npm run codegen`)
    process.exit(1)
  }
  console.log(`codegen --check: ${result.files} files up to date (${result.versions} service versions, ${result.actions} actions) in ${secs}s`)
} else {
  console.log(`codegen: ${result.versions} service versions, ${result.actions} actions, ${result.structs} objects; ${result.changed.length} files changed in ${secs}s`)
}
