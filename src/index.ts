/**
 * effect-tencentcloud: the hand-written core. Generated products live at
 * `effect-tencentcloud/<service>/<version>`.
 *
 * @since 0.1.0
 */
export * as Client from "./Client.js"
export * as Credentials from "./Credentials.js"
export * as Errors from "./Errors.js"
export * as Json from "./Json.js"
export * as Signer from "./Signer.js"
