/**
 * Versioned objects in the emulator, over real HTTP: with versioning on, every PUT keeps the
 * object before it as a version (`x-cos-version-id`), GET/HEAD `?versionId` reads one, DELETE
 * `?versionId` removes one (the latest earlier version becomes current), and a plain DELETE keeps
 * the deleted object as a version. Without versioning nothing is kept.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Buckets from "../../src/cos/Buckets.js"
import * as Objects from "../../src/cos/Objects.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import { BUCKET, cosLayer } from "./helpers.js"

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe("COS versioned objects in the emulator", { timeout: 60_000 }, () => {
  it.live("PUT keeps versions; GET, HEAD and DELETE by versionId", () =>
    Effect.acquireUseRelease(
      Effect.promise(() => Emulator.start()),
      (emu) =>
        Effect.gen(function* () {
          yield* Buckets.createBucket({ bucket: BUCKET })
          const before = yield* Objects.putObject({ bucket: BUCKET, key: "doc 文档.txt", body: "v0" })
          expect(before.versionId).toBeUndefined()
          yield* Buckets.putBucketVersioning({ bucket: BUCKET, status: "Enabled" })
          const v1 = yield* Objects.putObject({ bucket: BUCKET, key: "doc 文档.txt", body: "v1" })
          const v2 = yield* Objects.putObject({ bucket: BUCKET, key: "doc 文档.txt", body: "v2" })
          expect(v1.versionId).toMatch(/^[0-9a-f]{32}$/)
          expect(v2.versionId).not.toBe(v1.versionId)
          expect(text((yield* Objects.getObject({ bucket: BUCKET, key: "doc 文档.txt" })).body)).toBe("v2")
          expect(text((yield* Objects.getObject({ bucket: BUCKET, key: "doc 文档.txt", versionId: v1.versionId })).body)).toBe("v1")
          expect(text((yield* Objects.getObject({ bucket: BUCKET, key: "doc 文档.txt", versionId: "null" })).body)).toBe("v0")
          expect((yield* Objects.headObject({ bucket: BUCKET, key: "doc 文档.txt", versionId: v1.versionId })).headers["x-cos-version-id"]).toBe(v1.versionId)
          const missing = yield* Effect.flip(Objects.getObject({ bucket: BUCKET, key: "doc 文档.txt", versionId: "0".repeat(32) }))
          expect(missing._tag).toBe("NoSuchVersion")
          // deleting the current version makes the one before it current
          yield* Objects.deleteObject({ bucket: BUCKET, key: "doc 文档.txt", versionId: v2.versionId })
          expect(text((yield* Objects.getObject({ bucket: BUCKET, key: "doc 文档.txt" })).body)).toBe("v1")
          // a plain delete hides the object; its versions stay readable
          yield* Objects.deleteObject({ bucket: BUCKET, key: "doc 文档.txt" })
          expect(yield* Objects.exists({ bucket: BUCKET, key: "doc 文档.txt" })).toBe(false)
          expect(text((yield* Objects.getObject({ bucket: BUCKET, key: "doc 文档.txt", versionId: v1.versionId })).body)).toBe("v1")
          // versioning suspended: a PUT replaces, keeping nothing and naming no version
          yield* Buckets.putBucketVersioning({ bucket: BUCKET, status: "Suspended" })
          const plain = yield* Objects.putObject({ bucket: BUCKET, key: "other.txt", body: "a" })
          expect(plain.versionId).toBeUndefined()
        }).pipe(Effect.provide(cosLayer(emu))),
      (emu) => Effect.promise(() => emu.close())
    ))
})
