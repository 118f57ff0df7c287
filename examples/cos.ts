/**
 * COS object storage against the embedded emulator: a bucket, objects with Chinese keys, a listing
 * as a stream, a typed error, a presigned URL fetched by plain HTTP, files and folders (the v4
 * model), and a 12 MB multipart upload and download with a terminal progress bar, CRC-64 checked.
 *
 * Run: `npx tsx examples/cos.ts`
 */
import { Effect, Layer, Stream } from "effect"
import * as Credentials from "effect-tencentcloud/Credentials"
import { Buckets, Cos, Files, Listing, Objects, Presign, Transfer } from "effect-tencentcloud/cos"
import * as Emulator from "effect-tencentcloud/emulator"
import { UndiciHttpClient } from "effect-tencentcloud/node"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { runMain } from "./_main.js"

const say = (line = "") => Effect.sync(() => console.log(line))
const bucket = "examplebucket-1250000000"

/** A progress bar on a terminal; a line per quarter elsewhere (CI logs). */
export const progressBar = (label: string) => {
  let shown = -1
  return (e: Transfer.TransferEvent) =>
    Effect.sync(() => {
      if (e._tag === "Started") console.log(`${label}: ${(e.total / 1048576).toFixed(1)} MB in ${e.parts} part(s) of ${(e.partSize / 1048576).toFixed(0)} MB`)
      if (e._tag !== "Progress") return
      const pct = Math.floor((e.transferred / e.total) * 100)
      const rate = `${(e.bytesPerSecond / 1048576).toFixed(1)} MB/s`
      if (process.stdout.isTTY) {
        const filled = Math.round(pct / 4)
        process.stdout.write(`\r  [${"#".repeat(filled)}${".".repeat(25 - filled)}] ${String(pct).padStart(3)}%  ${rate}   `)
        if (e.transferred === e.total) process.stdout.write("\n")
      } else if (Math.floor(pct / 25) > shown) {
        shown = Math.floor(pct / 25)
        console.log(`  ${String(pct).padStart(3)}%  part ${e.part}  ${rate}`)
      }
    })
}

const fetchText = (emu: Emulator.EmulatorHandle, url: string) =>
  Effect.promise(
    () =>
      new Promise<string>((resolve, reject) => {
        const u = new URL(url)
        // connect to the emulator, keep the COS Host the URL was signed for
        http.get({ host: "127.0.0.1", port: emu.port, path: u.pathname + u.search, headers: { host: u.host } }, (res) => {
          let body = ""
          res.on("data", (c) => (body += c))
          res.on("end", () => resolve(`HTTP ${res.statusCode}: ${body}`))
        }).on("error", reject)
      })
  )

export const main = Effect.gen(function* () {
  const emu = yield* Emulator.make()
  const CosLive = Cos.layer({ region: "ap-guangzhou", connectTo: emu.address }).pipe(
    Layer.provide(Credentials.layerStatic(Emulator.DEMO_CREDENTIALS)),
    Layer.provide(UndiciHttpClient.layer({ proxy: false }))
  )
  yield* say(`COS against the emulator at ${emu.endpoint} (Host: ${bucket}.cos.ap-guangzhou.myqcloud.com)`)

  yield* Effect.gen(function* () {
    yield* Buckets.createBucket({ bucket })
    const put = yield* Objects.putObject({ bucket, key: "报告/2024 年度 a+b.txt", body: "你好, COS", contentType: "text/plain; charset=utf-8" })
    yield* say(`put 报告/2024 年度 a+b.txt: ETag ${put.etag}, CRC-64 ${put.crc64}`)
    const got = yield* Objects.getObject({ bucket, key: "报告/2024 年度 a+b.txt" })
    yield* say(`get: "${new TextDecoder().decode(got.body)}" (${got.size} bytes, ${got.contentType})`)

    for (let i = 0; i < 5; i++) yield* Objects.putObject({ bucket, key: `logs/day-${i}.log`, body: `line ${i}\n` })
    const keys = yield* Listing.listObjectsItems({ bucket, prefix: "logs/", maxKeys: 2 }).pipe(Stream.map((o) => o.key), Stream.runCollect)
    yield* say(`listed ${keys.length} keys under logs/ in pages of 2: ${[...keys].join(", ")}`)

    const missing = yield* Objects.headObject({ bucket, key: "nope.txt" }).pipe(
      Effect.map(() => "found"),
      Effect.catchTag("NoSuchKey", (e) => Effect.succeed(`NoSuchKey for ${e.key} (HTTP ${e.status}, request ${e.requestId})`))
    )
    yield* say(`head nope.txt → ${missing}`)

    const url = yield* Presign.presignedUrl({ bucket, key: "报告/2024 年度 a+b.txt", expires: "5 minutes" })
    yield* say(`presigned GET fetched by plain HTTP → ${yield* fetchText(emu, url)}`)
    yield* say(`unsigned GET → ${(yield* fetchText(emu, url.slice(0, url.indexOf("?")))).slice(0, 8)} (private object)`)

    yield* Files.createFolder({ bucket, path: "/album/", bizAttr: "holiday" })
    yield* Files.uploadFile({ bucket, path: "/album/sea.jpg", source: { bytes: new Uint8Array(1000) }, bizAttr: "blue", insertOnly: true })
    const listing = yield* Files.listFolder({ bucket, path: "/album/" })
    yield* say(`folder /album/ (biz_attr ${(yield* Files.statFolder({ bucket, path: "/album/" })).bizAttr}): ${listing.infos.map((e) => e.name).join(", ")}`)
    const refused = yield* Effect.flip(Files.deleteFolder({ bucket, path: "/album/" }))
    yield* say(`delete non-empty /album/ → ${refused._tag}`)
    yield* say(`deleteFolderRecursive /album/ → ${yield* Files.deleteFolderRecursive({ bucket, path: "/album/" })} objects`)

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cos-example-"))
    const file = path.join(dir, "video.bin")
    fs.writeFileSync(file, Buffer.alloc(12 * 1048576, 7))
    const up = yield* Transfer.uploadWithProgress({ bucket, key: "media/video.bin", file, partSize: 4 * 1048576, threshold: 4 * 1048576, concurrency: 3 }).pipe(
      Stream.tap(progressBar("upload")),
      Transfer.resultOf
    )
    yield* say(`uploaded in ${up?.parts} parts, CRC-64 ${up?.crc64} verified`)
    const down = yield* Transfer.downloadWithProgress({ bucket, key: "media/video.bin", file: path.join(dir, "copy.bin"), partSize: 8 * 1048576 }).pipe(
      Stream.tap(progressBar("download")),
      Transfer.resultOf
    )
    yield* say(`downloaded ${down?.size} bytes in ${down?.parts} ranges, CRC-64 ${down?.crc64 === up?.crc64 ? "matches" : "DIFFERS"}`)
    fs.rmSync(dir, { recursive: true })
  }).pipe(Effect.provide(CosLive))
}).pipe(Effect.scoped)

runMain(import.meta, main)
