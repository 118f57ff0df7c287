/**
 * Huawei Cloud on the same core as Tencent Cloud: `SDK-HMAC-SHA256` signing, credentials
 * (AK/SK, temporary keys, federation, metadata, environment, profile, chain), regions with
 * several endpoints, the SDK's error classes as tagged errors, retries, access log, HTTP
 * listener, uploads and downloads, and a generic call. Typed services are generated per version:
 * `effect-tencentcloud/huaweicloud/vpc/v2`, `.../vpc/v3`, `.../ecs/v2`, `.../iam/v3`.
 *
 * @since 0.1.0
 */
export * as AccessLog from "./AccessLog.js"
export * as Client from "./Client.js"
export * as Credentials from "./Credentials.js"
export * as Errors from "./Errors.js"
export * as Regions from "./Regions.js"
export * as Signer from "./Signer.js"
export { HuaweiCloud } from "./Client.js"
export { HuaweiCredentials } from "./Credentials.js"
