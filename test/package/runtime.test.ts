/**
 * The transport per runtime (issue 15, item 3): undici where its dispatcher works, fetch where it
 * does not (Bun's built-in undici has dispatchers without `request` or `close`), and asking for
 * undici there is a typed configuration error before anything is sent, never a NetworkError, and
 * closing the layer's scope does not crash. Bun and Deno themselves run in CI's pack smoke test.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import type { Dispatcher } from "undici"
import * as runtime from "../../src/node/runtime.js"
import { UndiciHttpClient } from "../../src/node/index.js"

describe("the runtime and its transport", () => {
  it("detect: bun, deno, node, other from the globals", () => {
    expect(runtime.detect({ Bun: {}, process: { versions: { node: "22.0.0", bun: "1.2.0" } } })).toBe("bun")
    expect(runtime.detect({ Deno: {}, process: { versions: { node: "22.0.0" } } })).toBe("deno")
    expect(runtime.detect({ process: { versions: { node: "20.19.0" } } })).toBe("node")
    expect(runtime.detect({})).toBe("other")
    expect(runtime.detect()).toBe("node")
  })

  it("undiciWorks: Node's undici yes; a Bun-like Agent without request no", () => {
    expect(runtime.undiciWorks()).toBe(true)
    class BunLikeAgent {}
    expect(runtime.undiciWorks(BunLikeAgent)).toBe(false)
  })

  it.effect("UndiciHttpClient.layer with a dispatcher that cannot send: RequestValidationError naming the fix, the scope closes cleanly", () =>
    Effect.gen(function* () {
      const bunLike = {} as unknown as Dispatcher // no request, no close: what Bun's built-in undici gives
      const scope = yield* Scope.make()
      const exit = yield* Effect.exit(Layer.buildWithScope(UndiciHttpClient.layer({ dispatcher: bunLike }), scope))
      const closed = yield* Effect.exit(Scope.close(scope, Exit.void))
      expect(Exit.isSuccess(closed)).toBe(true)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        const e = exit.cause.error
        expect(e._tag).toBe("RequestValidationError")
        expect(e.message).toContain("cannot send requests on this runtime")
        expect(e.message).toContain("UndiciHttpClient.layerDefault")
      } else {
        throw new Error(`expected a typed failure, got ${String(exit)}`)
      }
    }))
})
