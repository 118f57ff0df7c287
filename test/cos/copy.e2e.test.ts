/**
 * Server-side copy over real HTTP against the emulator: a single copy below the threshold, a
 * multipart copy (Upload Part - Copy with `x-cos-copy-source-range`) above it — the threshold set
 * low so a few MB stand for COS's 5 GB — with both metadata directives, the source pinned by its
 * ETag, and a failed multipart copy aborted.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Buckets from "../../src/cos/Buckets.js"
import * as Multipart from "../../src/cos/Multipart.js"
import * as Objects from "../../src/cos/Objects.js"
import * as Crc64 from "../../src/cos/internal/crc64.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import { BUCKET, bytes, cosLayer } from "./helpers.js"

const MB = 1024 * 1024

const withCos = <A, E>(f: (emu: Emulator.RunningEmulator) => Effect.Effect<A, E, any>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => Emulator.start()),
    (emu) => Buckets.createBucket({ bucket: BUCKET }).pipe(Effect.zipRight(f(emu)), Effect.provide(cosLayer(emu))) as Effect.Effect<A, E>,
    (emu) => Effect.promise(() => emu.close())
  )

const SOURCE = "big/源文件 +1.bin"

describe("COS server-side copy over real HTTP against the emulator", { timeout: 120_000 }, () => {
  it.live("above the threshold the copy goes in parts (ranges of the source); bytes, CRC-64 and metadata follow", () =>
    withCos((emu) =>
      Effect.gen(function* () {
        const data = bytes(5 * MB + 4321, 3)
        yield* Objects.putObject({ bucket: BUCKET, key: SOURCE, body: data, contentType: "video/mp4", cacheControl: "max-age=60", meta: { owner: "ops" } })
        const crc = Crc64.crc64(data).toString()
        const r = yield* Objects.copyObject({ bucket: BUCKET, key: "copies/kept.bin", source: { bucket: BUCKET, key: SOURCE }, multipartThreshold: 2 * MB, partSize: MB, concurrency: 3 })
        expect(r).toMatchObject({ crc64: crc, parts: 6 })
        const copies = emu.requests.list({ action: "UploadPartCopy" })
        expect(copies).toHaveLength(6)
        expect(copies.map((c) => c.headers["x-cos-copy-source-range"]).sort()).toContain(`bytes=${5 * MB}-${5 * MB + 4320}`)
        expect(copies.every((c) => c.headers["x-cos-copy-source-if-match"] !== undefined)).toBe(true)
        const got = yield* Objects.getObject({ bucket: BUCKET, key: "copies/kept.bin" })
        expect(Buffer.from(got.body).equals(Buffer.from(data))).toBe(true)
        expect(got).toMatchObject({ crc64: crc, contentType: "video/mp4", meta: { owner: "ops" } })
        expect(got.headers["cache-control"]).toBe("max-age=60")
        expect(got.etag).toMatch(/-6"$/) // a multipart object's ETag
        // the Replaced directive: this request's attributes instead of the source's
        yield* Objects.copyObject({ bucket: BUCKET, key: "copies/replaced.bin", source: { bucket: BUCKET, key: SOURCE }, metadataDirective: "Replaced", contentType: "application/octet-stream", meta: { owner: "dev" }, multipartThreshold: 2 * MB, partSize: 2 * MB })
        const h = yield* Objects.headObject({ bucket: BUCKET, key: "copies/replaced.bin" })
        expect(h).toMatchObject({ crc64: crc, contentType: "application/octet-stream", meta: { owner: "dev" }, size: data.length })
        // at or below the threshold: one PUT copy
        const before = emu.requests.list({ action: "PutObjectCopy" }).length
        const single = yield* Objects.copyObject({ bucket: BUCKET, key: "copies/single.bin", source: { bucket: BUCKET, key: SOURCE } })
        expect(single.parts).toBeUndefined()
        expect(single.crc64).toBe(crc)
        expect(emu.requests.list({ action: "PutObjectCopy" }).length - before).toBe(1)
        expect(yield* Multipart.listUploads({ bucket: BUCKET })).toEqual([])
      })
    ))

  it.live("a part copy pinned to another ETag is refused; a failed multipart copy is aborted", () =>
    withCos((emu) =>
      Effect.gen(function* () {
        yield* Objects.putObject({ bucket: BUCKET, key: "src.bin", body: bytes(3 * MB, 5) })
        const uploadId = yield* Multipart.initiate({ bucket: BUCKET, key: "dst.bin" })
        const stale = yield* Effect.flip(
          Multipart.uploadPartCopy({ bucket: BUCKET, key: "dst.bin", uploadId, partNumber: 1, copySource: `${BUCKET}.cos.ap-guangzhou.myqcloud.com/src.bin`, range: { start: 0, end: MB - 1 }, ifMatch: '"0123"' })
        )
        expect(stale._tag).toBe("PreconditionFailed")
        const outside = yield* Effect.flip(
          Multipart.uploadPartCopy({ bucket: BUCKET, key: "dst.bin", uploadId, partNumber: 1, copySource: `${BUCKET}.cos.ap-guangzhou.myqcloud.com/src.bin`, range: { start: 0, end: 3 * MB } })
        )
        expect(outside._tag).toBe("InvalidArgument")
        yield* Multipart.abort({ bucket: BUCKET, key: "dst.bin", uploadId })
        // a part copy is refused (AccessDenied is not retried): the copy fails and its upload is aborted
        emu.faults.add({ service: "cos", action: "UploadPartCopy", times: 1, fault: { kind: "error", code: "AccessDenied" } })
        const failed = yield* Effect.flip(Objects.copyObject({ bucket: BUCKET, key: "dst.bin", source: { bucket: BUCKET, key: "src.bin" }, multipartThreshold: MB, partSize: MB, concurrency: 1 }))
        expect(emu.requests.list({ action: "InitiateMultipartUpload" }).length).toBe(2)
        expect(failed._tag).toBe("AccessDenied")
        expect(emu.requests.list({ action: "AbortMultipartUpload" }).length).toBe(2)
        expect(yield* Multipart.listUploads({ bucket: BUCKET })).toEqual([])
        expect(yield* Objects.exists({ bucket: BUCKET, key: "dst.bin" })).toBe(false)
      })
    ))

  it.live("unfinished uploads are listed page by page (key and upload id markers)", () =>
    withCos((emu) =>
      Effect.gen(function* () {
        const ids: Array<string> = []
        for (const key of ["a", "b", "b", "c", "d"]) ids.push(yield* Multipart.initiate({ bucket: BUCKET, key: `up/${key}` }))
        const before = emu.requests.list({ action: "ListMultipartUploads" }).length
        const all = yield* Multipart.listUploads({ bucket: BUCKET, prefix: "up/", pageSize: 2 })
        expect(all.map((u) => u.key)).toEqual(["up/a", "up/b", "up/b", "up/c", "up/d"])
        expect(new Set(all.map((u) => u.uploadId))).toEqual(new Set(ids))
        expect(emu.requests.list({ action: "ListMultipartUploads" }).length - before).toBe(3)
        expect(yield* Multipart.listUploads({ bucket: BUCKET, prefix: "up/c" })).toHaveLength(1)
      })
    ))
})
