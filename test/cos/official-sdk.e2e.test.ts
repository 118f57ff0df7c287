/**
 * The official cos-nodejs-sdk-v5 as a client of the emulator: it reaches it with `Ip` and
 * `Protocol: "http:"`, signing and sending the real bucket Host without a port.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import COS from "cos-nodejs-sdk-v5"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import * as Crc64 from "../../src/cos/internal/crc64.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import { bytes } from "./helpers.js"

const Bucket = "sdkbucket-1250000000"
const Region = "ap-guangzhou"
let emu: Emulator.RunningEmulator
let cos: any
const call = <T = any>(method: string, params: Record<string, unknown>, client = cos): Promise<T> =>
  new Promise((resolve, reject) => client[method]({ Bucket, Region, ...params }, (err: any, data: T) => (err ? reject(err) : resolve(data))))

beforeAll(async () => {
  emu = await Emulator.start()
  cos = new COS({ SecretId: Emulator.DEMO_CREDENTIALS.secretId, SecretKey: Emulator.DEMO_CREDENTIALS.secretKey, Ip: emu.address, Protocol: "http:" } as any)
})
afterAll(async () => {
  await emu.close()
})

const KEYS = ["中文/文件.txt", "with space.txt", "a+b+c.txt", "mixed 中 +(1)!.txt"]

describe("the official cos-nodejs-sdk-v5 against the emulator", { timeout: 240_000 }, () => {
  it("creates a bucket, puts and gets objects with hard keys, heads, deletes one and many", async () => {
    await call("putBucket", {})
    for (const Key of KEYS) {
      const put = await call("putObject", { Key, Body: Buffer.from(`body of ${Key}`) })
      expect(put.statusCode).toBe(200)
      const got = await call("getObject", { Key })
      expect(got.Body.toString()).toBe(`body of ${Key}`)
      const head = await call("headObject", { Key })
      expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(`body of ${Key}`)))
      expect(head.headers["x-cos-hash-crc64ecma"]).toBe(Crc64.crc64(Buffer.from(`body of ${Key}`)).toString())
    }
    await call("deleteObject", { Key: KEYS[0] })
    await expect(call("headObject", { Key: KEYS[0] })).rejects.toMatchObject({ statusCode: 404 })
    const many = await call("deleteMultipleObject", { Objects: KEYS.slice(1).map((Key) => ({ Key })) })
    expect(many.Deleted.length).toBe(3)
    expect((await call("getBucket", {})).Contents.length).toBe(0)
  })

  it("lists past 1,000 keys with its own paging", async () => {
    const keys = Array.from({ length: 1050 }, (_, i) => `page/${String(i).padStart(4, "0")}`)
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((Key) => call("putObject", { Key, Body: "x" })))
    const first = await call("getBucket", { Prefix: "page/" })
    expect(first.Contents.length).toBe(1000)
    expect(first.IsTruncated).toBe("true")
    const second = await call("getBucket", { Prefix: "page/", Marker: first.NextMarker ?? first.Contents[999].Key })
    expect(second.Contents.length).toBe(50)
    expect(second.IsTruncated).toBe("false")
    await call("deleteMultipleObject", { Objects: keys.slice(0, 1000).map((Key) => ({ Key })) })
    await call("deleteMultipleObject", { Objects: keys.slice(1000).map((Key) => ({ Key })) })
  })

  it("uploads a 20 MB file in parts with uploadFile; the object's CRC-64 matches", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cos-sdk-"))
    const file = path.join(dir, "twenty.bin")
    const data = bytes(20 * 1024 * 1024)
    fs.writeFileSync(file, data)
    const r = await call("uploadFile", { Key: "big/二十.bin", FilePath: file, SliceSize: 1024 * 1024, ChunkSize: 1024 * 1024 })
    expect(r.statusCode).toBe(200)
    const parts = emu.requests.list({ action: "UploadPart" }).length
    expect(parts).toBe(20)
    const head = await call("headObject", { Key: "big/二十.bin" })
    expect(head.headers["x-cos-hash-crc64ecma"]).toBe(Crc64.crc64(data).toString())
    expect(head.headers.etag).toMatch(/-20"$/)
    fs.rmSync(dir, { recursive: true })
  })

  it("makes a presigned GET URL that plain HTTP can fetch; an unsigned GET is refused with 403", async () => {
    await call("putObject", { Key: "share/报告 1+1.txt", Body: "shared" })
    const url: string = cos.getObjectUrl({ Bucket, Region, Key: "share/报告 1+1.txt", Sign: true, Expires: 60 })
    const u = new URL(url)
    const get = (p: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port: emu.port, path: p, headers: { host: u.host } }, (res) => {
          let body = ""
          res.on("data", (c) => (body += c))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
        }).on("error", reject)
      })
    expect(await get(u.pathname + u.search)).toEqual({ status: 200, body: "shared" })
    const unsigned = await get(u.pathname)
    expect(unsigned.status).toBe(403)
    expect(unsigned.body).toContain("<Code>AccessDenied</Code>")
  })

  it("with a wrong key is refused with SignatureDoesNotMatch", async () => {
    const wrong = new COS({ SecretId: Emulator.DEMO_CREDENTIALS.secretId, SecretKey: "not-the-right-key", Ip: emu.address, Protocol: "http:" } as any)
    await expect(call("headBucket", {}, wrong)).rejects.toMatchObject({ statusCode: 403 })
    await expect(call("getBucket", {}, wrong)).rejects.toMatchObject({ code: "SignatureDoesNotMatch" })
  })
})
