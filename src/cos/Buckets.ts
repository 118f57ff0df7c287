/**
 * COS buckets: create, head, delete, list (the service), location, versioning on/off, CORS and
 * lifecycle basics as typed documents, and the canned ACL.
 *
 * @example
 * ```ts
 * yield* Buckets.createBucket({ bucket: "photos-1250000000" })
 * yield* Buckets.putBucketCors({ bucket: "photos-1250000000", rules: [{ allowedOrigins: ["*"], allowedMethods: ["GET"] }] })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { createHash } from "node:crypto"
import { type Cos, request } from "./Cos.js"
import type { CosCallError } from "./Objects.js"
import { aclOf } from "./Objects.js"
import { xmlRoot } from "./internal/protocol.js"
import * as Xml from "./internal/xml.js"

type B = { readonly bucket: string; readonly region?: string | undefined }

const md5 = (s: string) => createHash("md5").update(s).digest("base64")
const xmlBody = (xml: string) => ({ headers: { "content-type": "application/xml", "content-md5": md5(xml) }, body: xml })
const none = () => Either.right(undefined)

/** Create a bucket (`BucketAlreadyOwnedByYou` when it exists). */
export const createBucket = (input: B & { readonly acl?: "private" | "public-read" | "public-read-write" | undefined }): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "PutBucket", method: "PUT", bucket: input.bucket, region: input.region, headers: { "x-cos-acl": input.acl }, read: none })

/** HEAD a bucket: its region; `NoSuchBucket` (404) when absent, `AccessDenied` (403) when not yours. */
export const headBucket = (input: B): Effect.Effect<{ readonly region: string | undefined }, CosCallError, Cos> =>
  request({ operation: "HeadBucket", method: "HEAD", bucket: input.bucket, region: input.region, read: (a) => Either.right({ region: a.headers["x-cos-bucket-region"] }) })

/** Delete an empty bucket (`BucketNotEmpty` otherwise). */
export const deleteBucket = (input: B): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "DeleteBucket", method: "DELETE", bucket: input.bucket, region: input.region, read: none })

/** A bucket in the account's list. */
export interface BucketSummary {
  readonly name: string
  readonly region: string
  readonly creationDate: string
}

/** Every bucket of the account (GET Service). */
export const listBuckets: Effect.Effect<ReadonlyArray<BucketSummary>, CosCallError, Cos> = request({
  operation: "GetService",
  method: "GET",
  read: (a, laid) =>
    Either.map(xmlRoot(a, laid, "ListAllMyBucketsResult"), (doc) =>
      Xml.childrenOf(Xml.child(doc, "Buckets"), "Bucket").map((b) => ({ name: Xml.textOf(b, "Name") ?? "", region: Xml.textOf(b, "Location") ?? "", creationDate: Xml.textOf(b, "CreationDate") ?? "" }))
    )
})

/** The region a bucket lives in. */
export const getBucketLocation = (input: B): Effect.Effect<string, CosCallError, Cos> =>
  request({ operation: "GetBucketLocation", method: "GET", bucket: input.bucket, region: input.region, query: { location: "" }, read: (a, laid) => Either.map(xmlRoot(a, laid, "LocationConstraint"), (d) => d.text) })

/** Versioning state: `undefined` when never enabled. */
export const getBucketVersioning = (input: B): Effect.Effect<"Enabled" | "Suspended" | undefined, CosCallError, Cos> =>
  request({
    operation: "GetBucketVersioning",
    method: "GET",
    bucket: input.bucket,
    region: input.region,
    query: { versioning: "" },
    read: (a, laid) => Either.map(xmlRoot(a, laid, "VersioningConfiguration"), (d) => Xml.textOf(d, "Status") as "Enabled" | "Suspended" | undefined)
  })

/** Turn versioning on (`Enabled`) or off (`Suspended`). */
export const putBucketVersioning = (input: B & { readonly status: "Enabled" | "Suspended" }): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "PutBucketVersioning", method: "PUT", bucket: input.bucket, region: input.region, query: { versioning: "" }, ...xmlBody(Xml.build("VersioningConfiguration", { Status: input.status })), read: none })

/** One CORS rule. */
export interface CorsRule {
  readonly id?: string | undefined
  readonly allowedOrigins: ReadonlyArray<string>
  readonly allowedMethods: ReadonlyArray<"GET" | "PUT" | "POST" | "DELETE" | "HEAD">
  readonly allowedHeaders?: ReadonlyArray<string> | undefined
  readonly exposeHeaders?: ReadonlyArray<string> | undefined
  readonly maxAgeSeconds?: number | undefined
}

/** Replace a bucket's CORS rules. */
export const putBucketCors = (input: B & { readonly rules: ReadonlyArray<CorsRule> }): Effect.Effect<void, CosCallError, Cos> => {
  const xml = Xml.build("CORSConfiguration", {
    CORSRule: input.rules.map((r) => ({ ID: r.id, AllowedOrigin: [...r.allowedOrigins], AllowedMethod: [...r.allowedMethods], AllowedHeader: r.allowedHeaders ? [...r.allowedHeaders] : undefined, ExposeHeader: r.exposeHeaders ? [...r.exposeHeaders] : undefined, MaxAgeSeconds: r.maxAgeSeconds }))
  })
  return request({ operation: "PutBucketCors", method: "PUT", bucket: input.bucket, region: input.region, query: { cors: "" }, ...xmlBody(xml), read: none })
}

/** A bucket's CORS rules (`NoSuchCORSConfiguration` when none). */
export const getBucketCors = (input: B): Effect.Effect<ReadonlyArray<CorsRule>, CosCallError, Cos> =>
  request({
    operation: "GetBucketCors",
    method: "GET",
    bucket: input.bucket,
    region: input.region,
    query: { cors: "" },
    read: (a, laid) =>
      Either.map(xmlRoot(a, laid, "CORSConfiguration"), (doc) =>
        Xml.childrenOf(doc, "CORSRule").map((r): CorsRule => {
          const all = (n: string) => Xml.childrenOf(r, n).map((c) => c.text)
          const max = Xml.textOf(r, "MaxAgeSeconds")
          return {
            id: Xml.textOf(r, "ID"),
            allowedOrigins: all("AllowedOrigin"),
            allowedMethods: all("AllowedMethod") as CorsRule["allowedMethods"],
            allowedHeaders: all("AllowedHeader"),
            exposeHeaders: all("ExposeHeader"),
            maxAgeSeconds: max === undefined ? undefined : Number(max)
          }
        })
      )
  })

/** Remove a bucket's CORS rules. */
export const deleteBucketCors = (input: B): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "DeleteBucketCors", method: "DELETE", bucket: input.bucket, region: input.region, query: { cors: "" }, read: none })

/** One lifecycle rule (the basics: expiry, transitions, abandoned multipart uploads). */
export interface LifecycleRule {
  readonly id: string
  readonly enabled: boolean
  /** Objects under this prefix (`""`: all). */
  readonly prefix: string
  readonly expirationDays?: number | undefined
  readonly transitions?: ReadonlyArray<{ readonly days: number; readonly storageClass: string }> | undefined
  readonly abortIncompleteMultipartUploadDays?: number | undefined
}

/** Replace a bucket's lifecycle rules. */
export const putBucketLifecycle = (input: B & { readonly rules: ReadonlyArray<LifecycleRule> }): Effect.Effect<void, CosCallError, Cos> => {
  const xml = Xml.build("LifecycleConfiguration", {
    Rule: input.rules.map((r) => ({
      ID: r.id,
      Filter: { Prefix: r.prefix },
      Status: r.enabled ? "Enabled" : "Disabled",
      Transition: (r.transitions ?? []).map((t) => ({ Days: t.days, StorageClass: t.storageClass })),
      Expiration: r.expirationDays === undefined ? undefined : { Days: r.expirationDays },
      AbortIncompleteMultipartUpload: r.abortIncompleteMultipartUploadDays === undefined ? undefined : { DaysAfterInitiation: r.abortIncompleteMultipartUploadDays }
    }))
  })
  return request({ operation: "PutBucketLifecycle", method: "PUT", bucket: input.bucket, region: input.region, query: { lifecycle: "" }, ...xmlBody(xml), read: none })
}

/** A bucket's lifecycle rules (`NoSuchLifecycleConfiguration` when none). */
export const getBucketLifecycle = (input: B): Effect.Effect<ReadonlyArray<LifecycleRule>, CosCallError, Cos> =>
  request({
    operation: "GetBucketLifecycle",
    method: "GET",
    bucket: input.bucket,
    region: input.region,
    query: { lifecycle: "" },
    read: (a, laid) =>
      Either.map(xmlRoot(a, laid, "LifecycleConfiguration"), (doc) =>
        Xml.childrenOf(doc, "Rule").map((r): LifecycleRule => {
          const num = (s: string | undefined) => (s === undefined ? undefined : Number(s))
          return {
            id: Xml.textOf(r, "ID") ?? "",
            enabled: Xml.textOf(r, "Status") === "Enabled",
            prefix: Xml.textOf(Xml.child(r, "Filter"), "Prefix") ?? Xml.textOf(r, "Prefix") ?? "",
            expirationDays: num(Xml.textOf(Xml.child(r, "Expiration"), "Days")),
            transitions: Xml.childrenOf(r, "Transition").map((t) => ({ days: Number(Xml.textOf(t, "Days")), storageClass: Xml.textOf(t, "StorageClass") ?? "" })),
            abortIncompleteMultipartUploadDays: num(Xml.textOf(Xml.child(r, "AbortIncompleteMultipartUpload"), "DaysAfterInitiation"))
          }
        })
      )
  })

/** Remove a bucket's lifecycle rules. */
export const deleteBucketLifecycle = (input: B): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "DeleteBucketLifecycle", method: "DELETE", bucket: input.bucket, region: input.region, query: { lifecycle: "" }, read: none })

/** Set a bucket's canned ACL. */
export const putBucketAcl = (input: B & { readonly acl: "private" | "public-read" | "public-read-write" }): Effect.Effect<void, CosCallError, Cos> =>
  request({ operation: "PutBucketAcl", method: "PUT", bucket: input.bucket, region: input.region, query: { acl: "" }, headers: { "x-cos-acl": input.acl }, read: none })

/** A bucket's ACL as the canned value it amounts to. */
export const getBucketAcl = (input: B): Effect.Effect<{ readonly acl: "private" | "public-read" | "public-read-write"; readonly owner: string }, CosCallError, Cos> =>
  request({ operation: "GetBucketAcl", method: "GET", bucket: input.bucket, region: input.region, query: { acl: "" }, read: (a, laid) => Either.map(xmlRoot(a, laid, "AccessControlPolicy"), aclOf) })
