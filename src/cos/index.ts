/**
 * `effect-tencentcloud/cos`: Tencent Cloud Object Storage (the COS XML API) on the shared core.
 *
 * - {@link Cos}: the client service and its layer (`Cos.layer({ region })`).
 * - {@link Objects}, {@link Listing}, {@link Buckets}: objects, listings as streams, buckets.
 * - {@link Files}: the files-and-folders model of the retired v4 API on the XML API.
 * - {@link Transfer}, {@link Multipart}: large, resumable, concurrent transfers with progress.
 * - {@link Presign}, {@link Signature}: presigned URLs and every COS signature as pure functions.
 * - {@link CosError}: COS error documents as typed errors (`_tag` = the COS code).
 *
 * @since 0.1.0
 */
export * as Buckets from "./Buckets.js"
export * as Cos from "./Cos.js"
export * as CosError from "./CosError.js"
export * as Files from "./Files.js"
export * as Listing from "./Listing.js"
export * as Multipart from "./Multipart.js"
export * as Objects from "./Objects.js"
export * as Presign from "./Presign.js"
export * as Signature from "./Signature.js"
export * as Transfer from "./Transfer.js"
