/**
 * effect-tencentcloud: the hand-written core. Generated products live at
 * `effect-tencentcloud/<service>` (latest version) and `effect-tencentcloud/<service>/<version>`;
 * Node-only extras at `effect-tencentcloud/node`; the emulator at `effect-tencentcloud/emulator`.
 *
 * @since 0.1.0
 */
export * as Client from "./Client.js"
export * as Credentials from "./Credentials.js"
export * as Endpoint from "./Endpoint.js"
export * as Errors from "./Errors.js"
export * as Http from "./Http.js"
export * as Json from "./Json.js"
export * as RegionBreaker from "./RegionBreaker.js"
export * as Retry from "./Retry.js"
export * as Signer from "./Signer.js"
export * as ClientConfig from "./ClientConfig.js"
export * as Testing from "./Testing.js"
export * as Drift from "./Drift.js"
