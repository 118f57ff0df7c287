/**
 * `effect-tencentcloud/emulator`: a local Tencent Cloud API 3.0 emulator for tests, examples and
 * offline development. See `docs/emulator.md`.
 *
 * @since 0.1.0
 */
export * from "./Emulator.js"
export * as Catalog from "./catalog.js"
export * as Faults from "./faults.js"
