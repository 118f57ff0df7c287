/**
 * The emulator checks its own API 3.0 answers: before a successful answer goes out, it is checked
 * against the action's response schema in strict mode, with the SDK's own decoder (the compiled
 * closed check of `internal/schema.ts`, then the walk of `internal/tolerant.ts` for every
 * mismatch). An answer that would fail a strict client is a bug of the emulator (a state handler
 * or the generator), so it is reported as one rather than sent.
 *
 * The compiled check is cached per action: on a matching answer the cost is one walk over the
 * answer object, a fraction of writing it as JSON. Actions known only from a tccli spec folder
 * (`specDir`) have no SDK schema and are not checked.
 *
 * @internal
 */
import type * as AST from "effect/SchemaAST"
import { describeGot, pathText } from "../../internal/drift.js"
import { type Check, compileClosed } from "../../internal/schema.js"
import { walk } from "../../internal/tolerant.js"
import type { ActionDef } from "../catalog.js"

interface Compiled {
  readonly ast: AST.AST
  readonly check: Check
  /** Whether the schema declares `RequestId` (the generated ones do; a test's own schema may not). */
  readonly withRequestId: boolean
}

const NONE: unique symbol = Symbol("none")
const compiled = new WeakMap<ActionDef, Compiled | typeof NONE>()

const unwrap = (ast: AST.AST): AST.AST => {
  while (ast._tag === "Suspend" || ast._tag === "Refinement") ast = ast._tag === "Suspend" ? ast.f() : ast.from
  return ast
}

const compile = (def: ActionDef): Compiled | typeof NONE => {
  let c = compiled.get(def)
  if (c === undefined) {
    const ast = def.outputAst?.()
    if (ast === undefined) c = NONE
    else {
      const root = unwrap(ast)
      const withRequestId = root._tag === "TypeLiteral" && root.propertySignatures.some((p) => p.name === "RequestId")
      c = { ast, check: compileClosed(ast), withRequestId }
    }
    compiled.set(def, c)
  }
  return c
}

/**
 * Check a successful answer (the `Response` object) of `def`; `undefined` when it matches its
 * schema strictly (or the action has no schema), else a message naming every mismatch.
 * `body` is checked with its `RequestId` when the schema declares one, without it otherwise.
 */
export const checkAnswer = (def: ActionDef, body: Record<string, unknown>): string | undefined => {
  const c = compile(def)
  if (c === NONE) return undefined
  let value: Record<string, unknown> = body
  if (!c.withRequestId && "RequestId" in body) {
    const { RequestId: _, ...rest } = body
    value = rest
  }
  if (c.check(value) === undefined) return undefined
  const mismatches = walk(c.ast, value, "response").mismatches
  if (mismatches.length === 0) return undefined
  const lines = mismatches.map((m) => `${m.path.length === 0 ? "the answer" : pathText(m.path)}: expected ${m.expected}, got ${describeGot(m.got)}`)
  return (
    `The emulator built an answer for ${def.service} ${def.version} ${def.action} that does not match the action's response schema ` +
    `(strict mode) in ${lines.length === 1 ? "1 place" : `${lines.length} places`}: ${lines.join("; ")}. ` +
    "This is a bug of the emulator, please report it; start the emulator with `strictAnswers: false` (CLI `--no-strict-answers`) to send such answers anyway."
  )
}
