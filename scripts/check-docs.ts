/**
 * Type-checks every TypeScript block of README.md and docs/*.md (`npm run docs:check`, run by CI).
 *
 * Each ```ts block becomes a module of its own under node_modules/.cache/docs-check/, compiled with
 * tsc against `src/` through the same `effect-tencentcloud/...` mapping as tsconfig.json's `paths`,
 * so the docs import the package by its name exactly as a user copies them. A block that is a
 * fragment gets the names it uses from a prelude (effect's modules, the package's modules,
 * `describeInstances`, vitest's `it`/`expect`), unless it imports or declares them itself.
 *
 * Markers, as an HTML comment on the line before a block (invisible when rendered):
 * - `<!-- docs-check: declare const program: Effect.Effect<void> -->`: TypeScript put before the block
 *   (placeholders for names the prose introduces); several markers add up.
 * - `<!-- docs-check: in-generator -->`: the block is the body of an `Effect.gen(function* () { ... })`.
 * - `<!-- docs-check: skip: <reason> -->`: not compiled (a type signature, another language's SDK).
 *
 * It also checks that no example imports `../src/...` (examples import the package by its name).
 * Exits 1 and prints each error at its place in the Markdown file.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const OUT = path.join(ROOT, "node_modules/.cache/docs-check")

const PRELUDE: ReadonlyArray<readonly [from: string, names: ReadonlyArray<string>]> = [
  ["effect", ["Cause", "Chunk", "Config", "ConfigProvider", "Console", "Context", "Data", "Duration", "Effect", "Either", "Exit", "Fiber", "Layer", "Logger", "LogLevel", "Metric", "Option", "Redacted", "Schedule", "Schema", "Scope", "Stream", "TestClock"]],
  ["effect-tencentcloud", ["Client", "Credentials", "Endpoint", "Errors", "Http", "Json", "RegionBreaker", "Retry", "Signer", "Testing"]],
  ["effect-tencentcloud/node", ["UndiciHttpClient"]],
  ["effect-tencentcloud/cvm", ["describeInstances", "describeZones"]],
  ["effect-tencentcloud/cos", ["Buckets", "Cos", "CosError", "Files", "Listing", "Multipart", "Objects", "Presign", "Signature", "Transfer"]],
  ["@effect/vitest", ["it", "expect", "describe", "assert"]]
]
const NAMESPACES: ReadonlyArray<readonly [name: string, from: string]> = [
  ["Emulator", "effect-tencentcloud/emulator"],
  ["Cvm", "effect-tencentcloud/cvm"],
  ["Vpc", "effect-tencentcloud/vpc"],
  ["Cbs", "effect-tencentcloud/cbs"],
  ["Sts", "effect-tencentcloud/sts"],
  ["Waiters", "effect-tencentcloud/Waiters"],
  ["Metrics", "effect-tencentcloud/Metrics"],
  ["Registry", "effect-tencentcloud/Registry"]
]

interface Block {
  readonly doc: string
  /** 1-based line of the block's first code line in the Markdown file. */
  readonly line: number
  readonly code: string
  readonly declare: string
  readonly inGenerator: boolean
  readonly skip: string | undefined
}

export const extractBlocks = (doc: string, text: string): Array<Block> => {
  const lines = text.split("\n")
  const blocks: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue
    let declare = ""
    let inGenerator = false
    let skip: string | undefined
    for (let j = i - 1; j >= 0 && /^<!--\s*docs-check:/.test(lines[j]); j--) {
      const m = /^<!--\s*docs-check:\s*(.*?)\s*-->\s*$/.exec(lines[j])
      const body = m?.[1] ?? ""
      if (body === "in-generator") inGenerator = true
      else if (body.startsWith("skip")) skip = body.replace(/^skip:?\s*/, "") || "no reason given"
      else declare = `${body}\n${declare}`
    }
    const start = i + 1
    let end = start
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++
    blocks.push({ doc, line: start + 1, code: lines.slice(start, end).join("\n"), declare, inGenerator, skip })
    i = end
  }
  return blocks
}

const importedNames = (code: string): Set<string> => {
  const names = new Set<string>()
  for (const m of code.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+["'][^"']+["']/g)) {
    const clause = m[2]
    const ns = /\*\s+as\s+(\w+)/.exec(clause)
    if (ns) names.add(ns[1])
    const braces = /\{([^}]*)\}/.exec(clause)
    if (braces) for (const part of braces[1].split(",")) {
      const local = part.trim().split(/\s+as\s+/).pop()?.replace(/^type\s+/, "").trim()
      if (local) names.add(local)
    }
    const def = /^(\w+)\s*(,|$)/.exec(clause.trim())
    if (def) names.add(def[1])
  }
  for (const m of code.matchAll(/(?:^|\n)\s*(?:export\s+)?(?:const|let|var|function\*?|class|interface|type)\s+(\w+)/g)) names.add(m[1])
  return names
}

/** The module compiled for a block, and how many lines precede the block's own code. */
export const moduleFor = (block: Block): { readonly source: string; readonly offset: number } => {
  const own = importedNames(block.code + "\n" + block.declare)
  // only the prelude names the block uses (each import costs compile time: Registry reaches every generated module)
  const text = `${block.code}\n${block.declare}${block.inGenerator ? "\nEffect.gen" : ""}`
  // a block run in a generator uses Effect (the wrapper) even when its own text does not
  const used = (n: string) => ((n === "Effect" && block.inGenerator) || new RegExp(`(^|[^\\w.$])${n}\\b`).test(text)) && !own.has(n)
  const head: Array<string> = []
  for (const [from, names] of PRELUDE) {
    const keep = names.filter(used)
    if (keep.length > 0) head.push(`import { ${keep.join(", ")} } from "${from}"`)
  }
  for (const [name, from] of NAMESPACES) if (used(name)) head.push(`import * as ${name} from "${from}"`)
  // the block's own imports must stay at the top level, also when the rest runs in a generator
  const codeLines = block.code.split("\n")
  const imports: Array<string> = []
  const body: Array<string> = []
  let inImport = false
  for (const l of codeLines) {
    if (/^import\s/.test(l) || inImport) {
      imports.push(l)
      inImport = !/from\s+["'][^"']+["']|^import\s+["']/.test(l)
      body.push("")
    } else body.push(l)
  }
  const pre = [...imports, ...head, block.declare, block.inGenerator ? "export const __block = Effect.gen(function* () {" : ""]
  const preText = pre.join("\n")
  const offset = preText.split("\n").length
  // keep the block's line numbers: its import lines are blank in the body
  return { source: `${preText}\n${body.join("\n")}\n${block.inGenerator ? "})\n" : ""}export {}\n`, offset }
}

/** `compilerOptions.paths` of tsconfig.json (comment-free JSON). */
const repoPaths = (): Record<string, ReadonlyArray<string>> =>
  JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")).compilerOptions.paths

const main = () => {
  const docs = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)]
  fs.rmSync(OUT, { recursive: true, force: true })
  fs.mkdirSync(OUT, { recursive: true })
  const files = new Map<string, { block: Block; offset: number }>()
  let skipped = 0
  for (const doc of docs) {
    const blocks = extractBlocks(doc, fs.readFileSync(path.join(ROOT, doc), "utf8"))
    blocks.forEach((block, n) => {
      if (block.skip !== undefined) {
        skipped++
        return
      }
      const { source, offset } = moduleFor(block)
      const name = `${doc.replace(/[/.]/g, "_")}_${n + 1}.ts`
      fs.writeFileSync(path.join(OUT, name), source)
      files.set(name, { block, offset })
    })
  }
  const rel = (p: string) => path.relative(OUT, path.join(ROOT, p)).split(path.sep).join("/")
  fs.writeFileSync(
    path.join(OUT, "tsconfig.json"),
    JSON.stringify(
      {
        extends: rel("tsconfig.base.json"),
        compilerOptions: {
          noEmit: true,
          noUnusedLocals: false,
          allowUnreachableCode: true,
          types: ["node"],
          typeRoots: [rel("node_modules/@types")],
          // tsconfig.json's own mapping, rebased here
          paths: Object.fromEntries(Object.entries(repoPaths()).map(([k, vs]) => [k, vs.map((v) => rel(v))]))
        },
        files: [...files.keys()]
      },
      null,
      2
    )
  )
  const problems: Array<string> = []
  // examples are copied by users: they import the package by its name
  for (const f of fs.readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".ts"))) {
    const text = fs.readFileSync(path.join(ROOT, "examples", f), "utf8")
    text.split("\n").forEach((l, i) => {
      if (/from\s+["']\.\.\/src\//.test(l)) problems.push(`examples/${f}:${i + 1}: imports ../src/...; import "effect-tencentcloud/..." instead`)
    })
  }
  const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", path.join(OUT, "tsconfig.json"), "--pretty", "false"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  const out = `${tsc.stdout}${tsc.stderr}`
  for (const line of out.split("\n")) {
    const m = /([^/\\]+\.ts)\((\d+),(\d+)\): (error .*)$/.exec(line)
    if (m && files.has(m[1])) {
      const { block, offset } = files.get(m[1])!
      const codeLine = Number(m[2]) - offset - 1
      const where = codeLine >= 0 ? `${block.doc}:${block.line + codeLine}` : `${block.doc}:${block.line} (prelude or declare marker)`
      problems.push(`${where}:${m[3]}: ${m[4]}`)
    } else if (/error TS/.test(line)) problems.push(line)
  }
  if (tsc.status !== 0 && problems.length === 0) problems.push(`tsc exited with ${tsc.status}:\n${out}`)
  const checked = files.size
  if (problems.length > 0) {
    console.error(problems.join("\n"))
    console.error(`\ndocs check: ${problems.length} problem(s) in ${checked} TypeScript blocks of ${docs.length} files (${skipped} skipped by marker).`)
    console.error("Fix the block, or add a marker on the line above it (see scripts/check-docs.ts): <!-- docs-check: declare ... -->, <!-- docs-check: in-generator -->, <!-- docs-check: skip: reason -->")
    process.exit(1)
  }
  console.log(`docs check: ${checked} TypeScript blocks of ${docs.length} files compile (${skipped} skipped by marker); examples import the package by its name.`)
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
