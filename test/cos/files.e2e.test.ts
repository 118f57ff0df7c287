import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Buckets from "../../src/cos/Buckets.js"
import * as Files from "../../src/cos/Files.js"
import * as Listing from "../../src/cos/Listing.js"
import * as Objects from "../../src/cos/Objects.js"
import * as Presign from "../../src/cos/Presign.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import { BUCKET, bytes, cosLayer } from "./helpers.js"

const withCos = <A, E>(f: (emu: Emulator.RunningEmulator) => Effect.Effect<A, E, any>, options = {}, emuOptions: Emulator.EmulatorOptions = {}) =>
  Effect.acquireUseRelease(
    Effect.promise(() => Emulator.start(emuOptions)),
    (emu) => f(emu).pipe(Effect.provide(cosLayer(emu, options))) as Effect.Effect<A, E>,
    (emu) => Effect.promise(() => emu.close())
  )

const fetchRaw = (emu: Emulator.RunningEmulator, url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
  import("node:http").then(
    (http) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const u = new URL(url)
        const req = http.request({ host: "127.0.0.1", port: emu.port, method: init.method ?? "GET", path: u.pathname + u.search, headers: { host: u.host, ...init.headers } }, (res) => {
          let body = ""
          res.on("data", (c) => (body += c))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
        })
        req.on("error", reject)
        req.end(init.body)
      })
  )

describe("COS files and folders (v4 model) over real HTTP", { timeout: 240_000 }, () => {
  it.live("upload (biz_attr, insertOnly), stat, update attributes, download, delete", () =>
    withCos(() =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        const s = yield* Files.uploadFile({ bucket: BUCKET, path: "/docs/说明 v1.txt", source: { bytes: "hello" }, bizAttr: "tag:1", insertOnly: true, contentType: "text/plain" })
        expect(s).toMatchObject({ size: 5, bizAttr: "tag:1", contentType: "text/plain" })
        const again = yield* Effect.flip(Files.uploadFile({ bucket: BUCKET, path: "/docs/说明 v1.txt", source: { bytes: "x" }, insertOnly: true }))
        expect(again._tag).toBe("FileAlreadyExists")
        const u = yield* Files.updateFile({ bucket: BUCKET, path: "/docs/说明 v1.txt", bizAttr: "tag:2", contentType: "text/markdown", authority: "eWPrivateRPublic" })
        expect(u).toMatchObject({ bizAttr: "tag:2", contentType: "text/markdown", size: 5 })
        expect((yield* Objects.getObjectAcl({ bucket: BUCKET, key: "docs/说明 v1.txt" })).acl).toBe("public-read")
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cos-files-"))
        yield* Files.downloadFile({ bucket: BUCKET, path: "/docs/说明 v1.txt", to: path.join(dir, "a.txt") })
        expect(fs.readFileSync(path.join(dir, "a.txt"), "utf8")).toBe("hello")
        yield* Files.downloadFile({ bucket: BUCKET, path: "/docs/说明 v1.txt", to: path.join(dir, "b.txt"), range: { start: 1, end: 3 } })
        expect(fs.readFileSync(path.join(dir, "b.txt"), "utf8")).toBe("ell")
        const streamed = yield* Stream.runCollect(Files.downloadFileStream({ bucket: BUCKET, path: "/docs/说明 v1.txt" }))
        expect(Buffer.concat([...streamed]).toString()).toBe("hello")
        const big = path.join(dir, "big.bin")
        fs.writeFileSync(big, bytes(17 * 1024 * 1024))
        const bs = yield* Files.uploadFile({ bucket: BUCKET, path: "/big.bin", source: { file: big }, bizAttr: "b" })
        expect(bs.etag).toMatch(/-3"$/)
        expect(bs.bizAttr).toBe("b")
        yield* Files.deleteFile({ bucket: BUCKET, path: "/docs/说明 v1.txt" })
        expect((yield* Effect.flip(Files.statFile({ bucket: BUCKET, path: "/docs/说明 v1.txt" })))._tag).toBe("NoSuchKey")
        const bad = yield* Effect.flip(Files.statFile({ bucket: BUCKET, path: "docs/a" }))
        expect(bad._tag).toBe("RequestValidationError")
        fs.rmSync(dir, { recursive: true })
      })
    ))

  it.live("folders: create, stat, update, list one level paged by context, refuse non-empty delete, recursive delete", () =>
    withCos(() =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        yield* Files.createFolder({ bucket: BUCKET, path: "/album/", bizAttr: "first" })
        expect((yield* Effect.flip(Files.createFolder({ bucket: BUCKET, path: "/album/" })))._tag).toBe("FileAlreadyExists")
        expect(yield* Files.statFolder({ bucket: BUCKET, path: "/album/" })).toMatchObject({ bizAttr: "first", implicit: false })
        yield* Files.updateFolder({ bucket: BUCKET, path: "/album/", bizAttr: "second" })
        expect((yield* Files.statFolder({ bucket: BUCKET, path: "/album/" })).bizAttr).toBe("second")
        for (let i = 0; i < 5; i++) yield* Objects.putObject({ bucket: BUCKET, key: `album/p${i}.jpg`, body: "x" })
        yield* Objects.putObject({ bucket: BUCKET, key: "album/2024/deep.jpg", body: "x" })
        const first = yield* Files.listFolder({ bucket: BUCKET, path: "/album/", num: 4 })
        expect(first.listover).toBe(false)
        expect(first.infos.map((e) => e.name)).toEqual(["2024/", "p0.jpg", "p1.jpg", "p2.jpg"])
        const second = yield* Files.listFolder({ bucket: BUCKET, path: "/album/", num: 4, context: first.context })
        expect(second.listover).toBe(true)
        expect(second.infos.map((e) => e.name)).toEqual(["p3.jpg", "p4.jpg"])
        const all = yield* Stream.runCollect(Files.listFolderStream({ bucket: BUCKET, path: "/album/", num: 2 }))
        expect([...all].map((e) => e.name)).toEqual(["2024/", "p0.jpg", "p1.jpg", "p2.jpg", "p3.jpg", "p4.jpg"])
        expect((yield* Files.statFolder({ bucket: BUCKET, path: "/album/2024/" })).implicit).toBe(true)
        const refused = yield* Effect.flip(Files.deleteFolder({ bucket: BUCKET, path: "/album/" }))
        expect(refused._tag).toBe("FolderNotEmptyError")
        expect(yield* Files.deleteFolderRecursive({ bucket: BUCKET, path: "/album/" })).toBe(7)
        expect((yield* Listing.listObjects({ bucket: BUCKET })).objects.length).toBe(0)
        yield* Files.createFolder({ bucket: BUCKET, path: "/empty/" })
        yield* Files.deleteFolder({ bucket: BUCKET, path: "/empty/" })
      })
    ))
})

describe("COS buckets, listing, presigned URLs, errors and clock skew over real HTTP", { timeout: 240_000 }, () => {
  it.live("buckets: create, head, list, location, versioning, CORS, lifecycle, ACL, delete", () =>
    withCos(() =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        expect((yield* Effect.flip(Buckets.createBucket({ bucket: BUCKET })))._tag).toBe("BucketAlreadyOwnedByYou")
        expect((yield* Buckets.headBucket({ bucket: BUCKET })).region).toBe("ap-guangzhou")
        expect((yield* Buckets.listBuckets).map((b) => b.name)).toEqual([BUCKET])
        expect(yield* Buckets.getBucketLocation({ bucket: BUCKET })).toBe("ap-guangzhou")
        expect(yield* Buckets.getBucketVersioning({ bucket: BUCKET })).toBe(undefined)
        yield* Buckets.putBucketVersioning({ bucket: BUCKET, status: "Enabled" })
        expect(yield* Buckets.getBucketVersioning({ bucket: BUCKET })).toBe("Enabled")
        expect((yield* Effect.flip(Buckets.getBucketCors({ bucket: BUCKET })))._tag).toBe("NoSuchCORSConfiguration")
        const rule = { id: "web", allowedOrigins: ["https://a.example"], allowedMethods: ["GET", "PUT"] as const, allowedHeaders: ["*"], exposeHeaders: ["ETag"], maxAgeSeconds: 600 }
        yield* Buckets.putBucketCors({ bucket: BUCKET, rules: [{ ...rule, allowedMethods: [...rule.allowedMethods] }] })
        expect(yield* Buckets.getBucketCors({ bucket: BUCKET })).toEqual([{ ...rule, allowedMethods: ["GET", "PUT"] }])
        yield* Buckets.deleteBucketCors({ bucket: BUCKET })
        const lc = { id: "logs", enabled: true, prefix: "logs/", expirationDays: 30, transitions: [{ days: 7, storageClass: "STANDARD_IA" }], abortIncompleteMultipartUploadDays: 2 }
        yield* Buckets.putBucketLifecycle({ bucket: BUCKET, rules: [lc] })
        expect(yield* Buckets.getBucketLifecycle({ bucket: BUCKET })).toEqual([lc])
        yield* Buckets.deleteBucketLifecycle({ bucket: BUCKET })
        yield* Buckets.putBucketAcl({ bucket: BUCKET, acl: "public-read" })
        expect((yield* Buckets.getBucketAcl({ bucket: BUCKET })).acl).toBe("public-read")
        yield* Objects.putObject({ bucket: BUCKET, key: "k", body: "v" })
        expect((yield* Effect.flip(Buckets.deleteBucket({ bucket: BUCKET })))._tag).toBe("BucketNotEmpty")
        yield* Objects.deleteObject({ bucket: BUCKET, key: "k" })
        yield* Buckets.deleteBucket({ bucket: BUCKET })
        const gone = yield* Effect.flip(Buckets.headBucket({ bucket: BUCKET }))
        expect(gone._tag).toBe("NoSuchBucket")
      })
    ))

  it.live("listing pages past 1000 keys by prefix and delimiter, as pages and items", () =>
    withCos(() =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        yield* Effect.forEach(Array.from({ length: 1203 }, (_, i) => `logs/${String(i).padStart(5, "0")} 日志.txt`), (key) => Objects.putObject({ bucket: BUCKET, key, body: "." }), { concurrency: 16 })
        yield* Objects.putObject({ bucket: BUCKET, key: "logs/sub/x", body: "." })
        const pages = yield* Stream.runCollect(Listing.listObjectsPages({ bucket: BUCKET, prefix: "logs/" }))
        expect([...pages].map((p) => p.objects.length)).toEqual([1000, 204])
        const items = yield* Stream.runCollect(Listing.listObjectsItems({ bucket: BUCKET, prefix: "logs/", delimiter: "/", maxKeys: 500 }))
        expect(items.length).toBe(1203)
        expect([...items][0].key).toBe("logs/00000 日志.txt")
        const withDelimiter = yield* Stream.runCollect(Listing.listObjectsPages({ bucket: BUCKET, prefix: "logs/", delimiter: "/" }))
        expect([...withDelimiter].flatMap((p) => p.commonPrefixes)).toEqual(["logs/sub/"])
      })
    ))

  it.live("presigned GET and PUT URLs work with plain HTTP; expired and tampered ones are refused with COS codes", () =>
    withCos((emu) =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        yield* Objects.putObject({ bucket: BUCKET, key: "私有 a+b.txt", body: "secret" })
        const url = yield* Presign.presignedUrl({ bucket: BUCKET, key: "私有 a+b.txt", expires: "5 minutes" })
        expect(url.startsWith(`http://${BUCKET}.cos.ap-guangzhou.myqcloud.com/%E7%A7%81%E6%9C%89%20a%2Bb.txt?q-sign-algorithm=sha1`)).toBe(true)
        const ok = yield* Effect.promise(() => fetchRaw(emu, url))
        expect(ok).toEqual({ status: 200, body: "secret" })
        const tampered = yield* Effect.promise(() => fetchRaw(emu, url.replace("a%2Bb", "a%2Bc")))
        expect(tampered.status).toBe(403)
        expect(tampered.body).toContain("<Code>SignatureDoesNotMatch</Code>")
        const put = yield* Presign.presignedUrl({ bucket: BUCKET, key: "up.txt", method: "PUT", headers: { "content-type": "text/plain" } })
        expect((yield* Effect.promise(() => fetchRaw(emu, put, { method: "PUT", body: "uploaded", headers: { "content-type": "text/plain" } }))).status).toBe(200)
        expect((yield* Effect.promise(() => fetchRaw(emu, put, { method: "PUT", body: "x", headers: { "content-type": "text/html" } }))).status).toBe(403)
        expect(new TextDecoder().decode((yield* Objects.getObject({ bucket: BUCKET, key: "up.txt" })).body)).toBe("uploaded")
        const short = yield* Presign.presignedUrl({ bucket: BUCKET, key: "up.txt", expires: "1 second" })
        yield* Effect.sleep("2200 millis")
        const expired = yield* Effect.promise(() => fetchRaw(emu, short))
        expect(expired.status).toBe(403)
        expect(expired.body).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired/)
      })
    ))

  it.live("a wrong key is refused with SignatureDoesNotMatch, an unknown one with InvalidAccessKeyId; nothing secret in the error", () =>
    Effect.gen(function* () {
      const emu = yield* Effect.acquireRelease(Effect.promise(() => Emulator.start()), (e) => Effect.promise(() => e.close()))
      const wrong = yield* Effect.flip(Buckets.listBuckets.pipe(Effect.provide(cosLayer(emu, {}, { ...Emulator.DEMO_CREDENTIALS, secretKey: "wrong-secret-key-value" }))))
      expect(wrong._tag).toBe("SignatureDoesNotMatch")
      expect(JSON.stringify(wrong)).not.toContain("wrong-secret-key-value")
      const unknown = yield* Effect.flip(Buckets.listBuckets.pipe(Effect.provide(cosLayer(emu, {}, { secretId: "AKIDnobody", secretKey: "x" }))))
      expect(unknown._tag).toBe("InvalidAccessKeyId")
    }).pipe(Effect.scoped))

  it.live("clock skew is corrected once from the server's Date and the call retried", () =>
    Effect.gen(function* () {
      // the emulator's clock runs an hour ahead of ours
      const emu = yield* Effect.acquireRelease(Effect.promise(() => Emulator.start({ now: () => Date.now() + 3_600_000 })), (e) => Effect.promise(() => e.close()))
      const r = yield* Buckets.listBuckets.pipe(Effect.provide(cosLayer(emu)))
      expect(r).toEqual([])
      const skewed = emu.requests.list().filter((x) => x.response.code !== undefined)
      expect(skewed.map((x) => x.response.code)).toEqual(["AccessDenied"])
      expect(emu.requests.list().length).toBe(2)
      // without correction the call fails with the server's code
      const e = yield* Effect.flip(Buckets.listBuckets.pipe(Effect.provide(cosLayer(emu, { correctClockSkew: false }))))
      expect(e._tag).toBe("AccessDenied")
      expect(e.message).toContain("expired")
    }).pipe(Effect.scoped))

  it.live("SlowDown and 503 are retried (throttling / unavailable); errors carry code, category and request id", () =>
    withCos((emu) =>
      Effect.gen(function* () {
        yield* Buckets.createBucket({ bucket: BUCKET })
        emu.faults.add({ service: "cos", action: "HeadBucket", times: 1, fault: { kind: "error", code: "SlowDown" } })
        emu.faults.add({ service: "cos", action: "HeadBucket", times: 1, fault: { kind: "http", status: 503 } })
        yield* Buckets.headBucket({ bucket: BUCKET })
        expect(emu.requests.list({ action: "HeadBucket" }).length).toBe(3)
        emu.faults.add({ service: "cos", action: "GetBucket", fault: { kind: "error", code: "SlowDown" } })
        const e = yield* Effect.flip(Listing.listObjects({ bucket: BUCKET }).pipe(Effect.provide(cosLayer(emu, { retryPolicy: () => noRetry }))))
        expect(e).toMatchObject({ _tag: "SlowDown", code: "SlowDown", category: "throttling", status: 503 })
        expect((e as any).requestId).not.toBe("")
      })
    ))
})

const noRetry = Schedule.recurs(0) as any
