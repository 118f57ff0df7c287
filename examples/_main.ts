/**
 * The few lines every example ends with: run its `main` when the file is the program being run
 * (`npx tsx examples/<name>.ts`), print a failure readably and exit non-zero. Importing an example
 * (from a test, say) does not run it.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

/** True when the module with this `import.meta` is the entry point of the process. */
export const isMain = (meta: ImportMeta): boolean => {
  const entry = process.argv[1]
  return entry !== undefined && pathToFileURL(path.resolve(entry)).href === meta.url
}

/** Run `program` if the module is the entry point; exit code 1 (and the cause) on failure. */
export const runMain = (meta: ImportMeta, program: Effect.Effect<unknown, unknown>): void => {
  if (!isMain(meta)) return
  Effect.runPromiseExit(program).then(
    (exit) => {
      if (Exit.isFailure(exit)) {
        console.error(`\nFAILED\n${Cause.pretty(exit.cause)}`)
        process.exitCode = 1
      }
    },
    (defect) => {
      console.error("\nFAILED", defect)
      process.exitCode = 1
    }
  )
}
