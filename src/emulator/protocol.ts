/**
 * The emulator's protocol seam: one server, one handler per protocol. A request whose `Host`
 * (and path) a handler claims goes to it before anything is read; everything else is API 3.0.
 * Handlers share the accepted keys, the clock, the seed, the fault rules, the request log and the
 * temporary credentials issued by STS, so one key and one `faults.add(...)` work for every
 * protocol.
 *
 * Routing is cheap: a handler that gives `routing` is decided by its Host test once per Host name
 * (the answer is kept) and by URL path prefixes, so an API 3.0 request costs one map lookup and a
 * few `startsWith`; a handler without it has `matches` asked for every request.
 *
 * A handler reads the body itself (COS streams uploads of any size), verifies the signature with
 * code of its own (not the client's signer), answers in its cloud's format, and records the
 * request (secrets redacted) in `recorder`.
 *
 * @internal
 */
import type * as http from "node:http"
import type { FaultRules } from "./faults.js"
import type { Recorder } from "./recorder.js"
import type { State } from "./state/index.js"

/** What every protocol handler shares with the others. */
export interface EmulatorContext {
  /** SecretId → SecretKey of the accepted long-term keys (live: keys added later appear here). */
  readonly keys: ReadonlyMap<string, string>
  /** The emulator's clock (ms since the epoch). */
  readonly now: () => number
  readonly seed: number
  /** Allowed clock skew of signed requests, seconds. */
  readonly maxSkewSeconds: number
  readonly faults: FaultRules
  readonly recorder: Recorder
  /** API 3.0 state; `state.temporary(secretId)` finds STS-issued temporary keys (check expiry and token). */
  readonly state: State
}

/** One protocol's handler. */
export interface ProtocolHandler {
  /** `cos`, `qcloud2`, `huaweicloud`, ... (used in logs). */
  readonly name: string
  /** Whether this request is this protocol's, from its lower-cased Host without port and its URL. */
  readonly matches: (hostname: string, req: http.IncomingMessage) => boolean
  /**
   * Cheap routing, used instead of `matches` when given: `host` tells whether a Host name
   * (lower-case, without port) is this protocol's, asked once per Host name; `paths` are URL path
   * prefixes claimed on any Host.
   */
  readonly routing?: { readonly host: (hostname: string) => boolean; readonly paths?: ReadonlyArray<string> | undefined } | undefined
  /** Answer it. Must never throw (answer an error document instead) and always end `res`. */
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse) => void
  /** Forget this protocol's state (called by `state.reset()`); optional. */
  readonly reset?: (() => void) | undefined
}

/** Builds a handler for one emulator. */
export type ProtocolFactory = (ctx: EmulatorContext) => ProtocolHandler
