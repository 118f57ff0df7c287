/**
 * The integrity checks of large transfers, over real HTTP: a proxy between the client and the
 * emulator flips one byte of a chosen request or answer body (the signature covers no body, so
 * the request still verifies). A damaged part upload is refused by the part's CRC-64 (and with
 * `contentMd5` by the server's Content-MD5 check); a damaged range fails the file's CRC-64.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fs from "node:fs"
import * as http from "node:http"
import type * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as Buckets from "../../src/cos/Buckets.js"
import * as Multipart from "../../src/cos/Multipart.js"
import * as Transfer from "../../src/cos/Transfer.js"
import * as Crc64 from "../../src/cos/internal/crc64.js"
import * as Emulator from "../../src/emulator/Emulator.js"
import { BUCKET, bytes, cosLayer } from "./helpers.js"

const MB = 1024 * 1024

/** Which exchange to damage: the request body or the answer body of the first request matching. */
let damage: { readonly match: (req: http.IncomingMessage) => boolean; readonly side: "request" | "answer" } | undefined

const flip = (chunks: Array<Buffer>): Buffer => {
  const all = Buffer.concat(chunks)
  if (all.length > 1000) all[1000] ^= 0x5a
  return all
}

let emu: Emulator.RunningEmulator
let proxy: http.Server
let proxyAddress = ""
let dir = ""

beforeAll(async () => {
  emu = await Emulator.start()
  const [host, port] = emu.address.replace(/^http:\/\//, "").split(":")
  proxy = http.createServer((req, res) => {
    const hit = damage !== undefined && damage.match(req) ? damage : undefined
    if (hit !== undefined) damage = undefined
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = hit?.side === "request" ? flip(chunks) : Buffer.concat(chunks)
      const up = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const got: Array<Buffer> = []
        answer.on("data", (c: Buffer) => got.push(c))
        answer.on("end", () => {
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          res.end(hit?.side === "answer" ? flip(got) : Buffer.concat(got))
        })
      })
      up.end(body)
    })
  })
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()))
  proxyAddress = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cos-integrity-"))
  await Effect.runPromise(Buckets.createBucket({ bucket: BUCKET }).pipe(Effect.provide(cosLayer(emu))))
})

afterAll(async () => {
  proxy.closeAllConnections()
  await new Promise<void>((r) => proxy.close(() => r()))
  await emu.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const viaProxy = () => cosLayer({ address: proxyAddress })
const isPart = (n: number) => (req: http.IncomingMessage) => req.method === "PUT" && (req.url ?? "").includes(`partNumber=${n}&`)

describe("COS transfer integrity (a proxy flips one byte)", { timeout: 120_000 }, () => {
  it.live("a part damaged on the way up fails its CRC-64 check; with contentMd5 the server refuses it", () =>
    Effect.gen(function* () {
      const data = bytes(3 * MB, 7)
      const uploadId = yield* Multipart.initiate({ bucket: BUCKET, key: "damaged.bin" })
      damage = { match: isPart(1), side: "request" }
      const plain = yield* Effect.either(Multipart.uploadPart({ bucket: BUCKET, key: "damaged.bin", uploadId, partNumber: 1, body: data }))
      expect(Either.isLeft(plain) && plain.left._tag).toBe("IntegrityError")
      if (Either.isLeft(plain)) expect(String((plain.left as { what?: string }).what)).toContain("CRC-64 of part 1")
      damage = { match: isPart(1), side: "request" }
      const md5 = yield* Effect.either(Multipart.uploadPart({ bucket: BUCKET, key: "damaged.bin", uploadId, partNumber: 1, body: data, contentMd5: true }))
      expect(Either.isLeft(md5) && md5.left._tag).toBe("BadDigest")
      // undamaged, the same part goes through and reports the bytes' CRC-64
      const ok = yield* Multipart.uploadPart({ bucket: BUCKET, key: "damaged.bin", uploadId, partNumber: 1, body: data })
      expect(ok.crc64).toBe(Crc64.crc64(data).toString())
      yield* Multipart.abort({ bucket: BUCKET, key: "damaged.bin", uploadId })
    }).pipe(Effect.provide(viaProxy())))

  it.live("Transfer.upload sends a damaged part again and completes with the right CRC-64", () =>
    Effect.gen(function* () {
      const data = bytes(4 * MB + 5, 11)
      const src = path.join(dir, "resend.bin")
      fs.writeFileSync(src, data)
      damage = { match: isPart(2), side: "request" }
      const r = yield* Transfer.upload({ bucket: BUCKET, key: "resend.bin", file: src, partSize: MB, threshold: MB, concurrency: 2 })
      expect(damage).toBeUndefined() // the damage was done
      expect(r).toMatchObject({ parts: 5, crc64: Crc64.crc64(data).toString() })
    }).pipe(Effect.provide(viaProxy())))

  it.live("a range damaged on the way down fails the file's CRC-64", () =>
    Effect.gen(function* () {
      const data = bytes(5 * MB, 9)
      const src = path.join(dir, "src.bin")
      fs.writeFileSync(src, data)
      yield* Transfer.upload({ bucket: BUCKET, key: "whole.bin", file: src, partSize: MB, threshold: MB })
      damage = { match: (req) => req.method === "GET" && req.headers.range === `bytes=${2 * MB}-${3 * MB - 1}`, side: "answer" }
      const out = path.join(dir, "out.bin")
      const bad = yield* Effect.either(Transfer.download({ bucket: BUCKET, key: "whole.bin", file: out, partSize: MB, concurrency: 2 }))
      expect(Either.isLeft(bad) && bad.left._tag).toBe("IntegrityError")
      // nothing is resumed from a download proved wrong; the next one is whole and right
      expect(fs.existsSync(out + ".cos-resume")).toBe(false)
      const good = yield* Transfer.download({ bucket: BUCKET, key: "whole.bin", file: out, partSize: MB, concurrency: 2 })
      expect(good.crc64).toBe(Crc64.crc64(data).toString())
      expect(fs.readFileSync(out).equals(Buffer.from(data))).toBe(true)
    }).pipe(Effect.provide(viaProxy())))
})
