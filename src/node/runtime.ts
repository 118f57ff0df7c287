/**
 * Which HTTP transport works on the running runtime. Node (and Deno, which runs the npm `undici`
 * package) send through an undici dispatcher; Bun's built-in `undici` module has dispatchers
 * without `request` or `close`, so on Bun the default transport is the global `fetch`, and asking
 * for the undici transport there is a configuration error, never a network fault.
 *
 * @since 0.1.0
 */
import { Agent, type Dispatcher } from "undici"
import { RequestValidationError } from "../Errors.js"

/** The runtime this process runs on. */
export type Runtime = "node" | "bun" | "deno" | "other"

/** The runtime this process runs on, from the globals each runtime defines. */
export const detect = (g: { readonly Bun?: unknown; readonly Deno?: unknown; readonly process?: { readonly versions?: Record<string, string | undefined> } } = globalThis as never): Runtime => {
  if (g.Bun !== undefined || g.process?.versions?.bun !== undefined) return "bun"
  if (g.Deno !== undefined) return "deno"
  if (g.process?.versions?.node !== undefined) return "node"
  return "other"
}

/** True when a dispatcher of this `undici` can send requests (Node's undici, the npm package on Deno; not Bun's built-in one). */
export const undiciWorks = (agent: { readonly prototype: object } = Agent): boolean =>
  typeof (agent.prototype as { request?: unknown }).request === "function"

/** The configuration error for a dispatcher that cannot send: what, where, how to fix. */
export const unsupported = (dispatcher: Dispatcher | object, runtime: Runtime = detect()): RequestValidationError | undefined =>
  typeof (dispatcher as { request?: unknown }).request === "function"
    ? undefined
    : RequestValidationError.make({
        field: "HttpClient (UndiciHttpClient.layer)",
        problem: `the undici dispatcher cannot send requests on this runtime (${runtime}${runtime === "bun" ? ": Bun's built-in undici has no dispatcher.request" : ""})`,
        fix: "use UndiciHttpClient.layerDefault (it picks fetch where undici does not work) or Http.layerFetch from effect-tencentcloud/Http"
      })
