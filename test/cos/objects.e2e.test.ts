import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Buckets from "../../src/cos/Buckets.js"
import * as Objects from "../../src/cos/Objects.js"
import * as Crc64 from "../../src/cos/internal/crc64.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import { BUCKET, bytes, cosLayer } from "./helpers.js"

const withCos = <A, E>(f: (emu: Emulator.RunningEmulator) => Effect.Effect<A, E, any>) =>
  Effect.acquireUseRelease(
    Effect.promise(() => Emulator.start()),
    (emu) => f(emu).pipe(Effect.provide(cosLayer(emu))) as Effect.Effect<A, E>,
    (emu) => Effect.promise(() => emu.close())
  )

const KEYS = ["a.txt", "中文/文件 (1).txt", "with space+plus.bin", "q?a#b&c=d%25.txt", "emoji/😀.txt", "deep/a/b/c/d.txt"]

describe("COS objects over real HTTP against the emulator", { timeout: 240_000 }, () => {
  it.live("put, get, head, delete with hard keys; CRC-64 reported and checked", () =>
    withCos(() =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        for (const key of KEYS) {
          const data = bytes(1000 + key.length, key.length)
          const put = yield* Objects.putObject({ bucket: BUCKET, key, body: data, contentType: "application/x-test", meta: { owner: "me" } })
          expect(put.crc64).toBe(Crc64.crc64(data).toString())
          const got = yield* Objects.getObject({ bucket: BUCKET, key })
          expect(Buffer.from(got.body).equals(Buffer.from(data))).toBe(true)
          expect(got.meta.owner).toBe("me")
          const head = yield* Objects.headObject({ bucket: BUCKET, key })
          expect(head.size).toBe(data.length)
          expect(head.contentType).toBe("application/x-test")
        }
        yield* Objects.deleteObject({ bucket: BUCKET, key: KEYS[0] })
        const missing = yield* Effect.flip(Objects.headObject({ bucket: BUCKET, key: KEYS[0] }))
        expect(missing._tag).toBe("NoSuchKey")
        expect((missing as any).key).toBe(KEYS[0])
        expect(missing.message).toContain(KEYS[0])
        const gone = yield* Effect.flip(Objects.getObject({ bucket: BUCKET, key: KEYS[0] }))
        expect(gone._tag).toBe("NoSuchKey")
        expect((gone as any).requestId).not.toBe("")
      })
    ))

  it.live("ranges, conditional headers, streams, files, strings", () =>
    withCos(() =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        const data = bytes(100_000)
        const put = yield* Objects.putObject({ bucket: BUCKET, key: "r.bin", body: Objects.fromStream(data.length, Stream.make(data.subarray(0, 50_000), data.subarray(50_000))) })
        const part = yield* Objects.getObject({ bucket: BUCKET, key: "r.bin", range: { start: 10, end: 19 } })
        expect([...part.body]).toEqual([...data.subarray(10, 20)])
        expect(part.size).toBe(100_000)
        const notModified = yield* Effect.flip(Objects.getObject({ bucket: BUCKET, key: "r.bin", ifNoneMatch: put.etag }))
        expect(notModified._tag).toBe("NotModified")
        const failed = yield* Effect.flip(Objects.getObject({ bucket: BUCKET, key: "r.bin", ifMatch: '"nope"' }))
        expect(failed._tag).toBe("PreconditionFailed")
        const chunks = yield* Stream.runCollect(Objects.getObjectStream({ bucket: BUCKET, key: "r.bin" }))
        expect([...chunks].reduce((n, c) => n + c.length, 0)).toBe(100_000)
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cos-"))
        const src = path.join(dir, "src.bin")
        fs.writeFileSync(src, data)
        yield* Objects.putObject({ bucket: BUCKET, key: "f.bin", body: Objects.fromFile(src) })
        const out = path.join(dir, "out.bin")
        const head = yield* Objects.downloadObject({ bucket: BUCKET, key: "f.bin", path: out })
        expect(fs.readFileSync(out).equals(Buffer.from(data))).toBe(true)
        expect(head.crc64).toBe(Crc64.crc64(data).toString())
        yield* Objects.putObject({ bucket: BUCKET, key: "s.txt", body: "héllo" })
        expect(new TextDecoder().decode((yield* Objects.getObject({ bucket: BUCKET, key: "s.txt" })).body)).toBe("héllo")
        const forbidden = yield* Effect.flip(Objects.putObject({ bucket: BUCKET, key: "s.txt", body: "x", forbidOverwrite: true }))
        expect(forbidden._tag).toBe("FileAlreadyExists")
        fs.rmSync(dir, { recursive: true })
      })
    ))

  it.live("copy with metadata directive, append, tagging, ACL, delete many", () =>
    withCos((emu) =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        yield* Objects.putObject({ bucket: BUCKET, key: "src", body: "abc", contentType: "text/plain", meta: { a: "1" } })
        yield* Objects.copyObject({ bucket: BUCKET, key: "dst", source: { bucket: BUCKET, key: "src" } })
        expect((yield* Objects.headObject({ bucket: BUCKET, key: "dst" })).meta).toEqual({ a: "1" })
        yield* Objects.copyObject({ bucket: BUCKET, key: "src", source: { bucket: BUCKET, key: "src" }, metadataDirective: "Replaced", meta: { b: "2" }, contentType: "text/markdown" })
        const h = yield* Objects.headObject({ bucket: BUCKET, key: "src" })
        expect(h.meta).toEqual({ b: "2" })
        expect(h.contentType).toBe("text/markdown")
        const a1 = yield* Objects.appendObject({ bucket: BUCKET, key: "log", position: 0, body: "one," })
        const a2 = yield* Objects.appendObject({ bucket: BUCKET, key: "log", position: a1.nextPosition, body: "two" })
        expect(a2.nextPosition).toBe(7)
        expect(a2.crc64).toBe(Crc64.crc64(new TextEncoder().encode("one,two")).toString())
        const wrongPos = yield* Effect.flip(Objects.appendObject({ bucket: BUCKET, key: "log", position: 1, body: "x" }))
        expect(wrongPos._tag).toBe("PositionNotEqualToLength")
        yield* Objects.putObjectTagging({ bucket: BUCKET, key: "src", tags: { team: "a", 环境: "测试" } })
        expect(yield* Objects.getObjectTagging({ bucket: BUCKET, key: "src" })).toEqual({ team: "a", 环境: "测试" })
        yield* Objects.deleteObjectTagging({ bucket: BUCKET, key: "src" })
        expect(yield* Objects.getObjectTagging({ bucket: BUCKET, key: "src" })).toEqual({})
        expect((yield* Objects.getObjectAcl({ bucket: BUCKET, key: "src" })).acl).toBe("private")
        // private: an unsigned GET is refused with 403
        const unsigned = yield* Effect.promise(() => rawGet(emu, "/src"))
        expect(unsigned.status).toBe(403)
        expect(unsigned.body).toContain("<Code>AccessDenied</Code>")
        yield* Objects.putObjectAcl({ bucket: BUCKET, key: "src", acl: "public-read" })
        expect((yield* Objects.getObjectAcl({ bucket: BUCKET, key: "src" })).acl).toBe("public-read")
        expect((yield* Effect.promise(() => rawGet(emu, "/src"))).status).toBe(200)
        const many = yield* Objects.deleteObjects({ bucket: BUCKET, keys: ["src", "dst", "log"] })
        expect([...many.deleted].sort()).toEqual(["dst", "log", "src"])
        expect(yield* Objects.exists({ bucket: BUCKET, key: "dst" })).toBe(false)
      })
    ))

  it.live("invalid bucket names and keys are refused before anything is sent", () =>
    withCos((emu) =>
      Effect.gen(function* () {
        const before = emu.requests.total()
        const e1 = yield* Effect.flip(Objects.headObject({ bucket: "NoAppId", key: "a" }))
        expect(e1._tag).toBe("RequestValidationError")
        expect(e1.message).toContain("bucket")
        const e2 = yield* Effect.flip(Objects.headObject({ bucket: BUCKET, key: "a/../b" }))
        expect(e2.message).toContain("..")
        const e3 = yield* Effect.flip(Objects.headObject({ bucket: BUCKET, key: "" }))
        expect(e3.message).toContain("empty")
        expect(emu.requests.total()).toBe(before)
      })
    ))
})

const rawGet = (emu: Emulator.RunningEmulator, p: string) =>
  import("node:http").then(
    (http) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port: emu.port, path: p, headers: { host: `${BUCKET}.cos.ap-guangzhou.myqcloud.com` } }, (res) => {
          let body = ""
          res.on("data", (c) => (body += c))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
        })
        req.on("error", reject)
        req.end()
      })
  )
