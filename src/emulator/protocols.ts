/**
 * The protocols the emulator speaks besides API 3.0, in the order they are asked whether a request
 * is theirs. Each protocol adds one line here.
 *
 * @internal
 */
import type { ProtocolFactory } from "./protocol.js"

export const protocolFactories: ReadonlyArray<ProtocolFactory> = []
