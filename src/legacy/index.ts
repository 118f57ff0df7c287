/**
 * `effect-tencentcloud/legacy`: the Tencent Cloud API 2.0 client (`<module>.api.qcloud.com`,
 * v1 signature, `{"code","message","codeDesc"}` answers), on the same core as API 3.0.
 *
 * @since 0.1.0
 */
export * as Legacy from "./Legacy.js"
