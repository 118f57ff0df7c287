/**
 * `npm run codegen:huaweicloud`: generate the typed Huawei Cloud services (IAM v3, VPC v2 and v3,
 * ECS v2) into `src/huaweicloud/generated/<service>/<version>.ts` from the installed
 * `@huaweicloud/huaweicloud-sdk-*` packages' model metadata. `--check` compares instead of writing
 * and exits 1 when the committed output differs.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { emit } from "./emit.js"
import { readServiceVersion } from "./model.js"

/** The service versions generated. */
export const TARGETS: ReadonlyArray<readonly [string, string]> = [["iam", "v3"], ["vpc", "v2"], ["vpc", "v3"], ["ecs", "v2"]]

/** Every generated file: path (relative to the repository) → text. */
export const generateAll = (): ReadonlyMap<string, string> => {
  const out = new Map<string, string>()
  for (const [service, version] of TARGETS) out.set(`src/huaweicloud/generated/${service}/${version}.ts`, emit(readServiceVersion(service, version)))
  return out
}

const main = () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..")
  const check = process.argv.includes("--check")
  let stale = 0
  for (const [file, text] of generateAll()) {
    const target = path.join(root, file)
    const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined
    if (check) {
      if (current !== text) {
        console.error(`stale: ${file}`)
        stale++
      }
    } else if (current !== text) {
      fs.mkdirSync(path.dirname(target), { recursive: true })
      fs.writeFileSync(target, text)
      console.log(`wrote ${file} (${text.length} bytes)`)
    }
  }
  if (stale > 0) process.exit(1)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main()
