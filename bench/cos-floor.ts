/**
 * The floor of the COS benchmark: the least any client can do for the same transfer against the
 * same emulator, with `node:http` (a keep-alive Agent) and `node:fs` only, the same part size and
 * concurrency, no checksums, no retries, no progress; each request signed by our pure `q-sign`
 * function (`src/cos/Signature.ts`: two HMACs and a SHA-1 of a short string; the emulator verifies
 * signatures), only `host` signed.
 *
 * - `upload`: initiate a multipart upload, then parts `concurrency` at a time (each read from the
 *   file into one of `concurrency` reused buffers, sent as one PUT), then complete.
 * - `download`: concurrent ranged GETs, each socket buffer written where it belongs with a
 *   positional write (`fs.write` on a pre-sized file) as it arrives, the response paused while
 *   more than two writes are in flight.
 * - `stream`: one GET piped to a file (`fs.createWriteStream`).
 *
 * If this client's throughput over the official SDK's is below a goal in a row, no client can
 * meet that goal there on this machine.
 */
import * as fs from "node:fs"
import * as http from "node:http"
import * as Signature from "../src/cos/Signature.js"

export interface FloorTask {
  readonly op: "upload" | "download" | "stream"
  /** `host:port` of the emulator. */
  readonly address: string
  readonly file: string
  readonly key: string
  readonly partSize: number
  readonly concurrency: number
  readonly secretId: string
  readonly secretKey: string
}

const HOST = "bench-1250000000.cos.ap-guangzhou.myqcloud.com"

/** A URL path for a key of the benchmark (plain ASCII keys: no encoding needed). */
const pathOf = (key: string) => `/${key}`

export const run = async (t: FloorTask): Promise<void> => {
  const [hostname, port] = t.address.split(":")
  const agent = new http.Agent({ keepAlive: true, maxSockets: t.concurrency + 1 })
  const sign = (method: string, query: Record<string, string>) => {
    const now = Math.floor(Date.now() / 1000)
    return Signature.authorization({ secretId: t.secretId, secretKey: t.secretKey, method, key: t.key, query, headers: { host: HOST }, startSeconds: now - 60, endSeconds: now + 3600 })
  }
  /** One request; the answer's status, headers and (unless `sink` takes it) body as text. */
  const request: Request = (method, query, headers, body, sink) =>
    new Promise((resolve, reject) => {
      const qs = Object.keys(query).map((k) => (query[k] === "" ? k : `${k}=${encodeURIComponent(query[k])}`)).join("&")
      const req = http.request(
        { hostname, port: Number(port), agent, method, path: pathOf(t.key) + (qs === "" ? "" : `?${qs}`), headers: { host: HOST, authorization: sign(method, query), ...headers } },
        (res) => {
          const status = res.statusCode ?? 0
          if (status >= 300 || sink === undefined) {
            let text = ""
            res.setEncoding("utf8")
            res.on("data", (s: string) => (text += s))
            res.on("end", () => (status >= 300 ? reject(new Error(`${method} ${status}: ${text}`)) : resolve({ status, headers: res.headers, text })))
            res.on("error", reject)
            return
          }
          sink(res).then(() => resolve({ status, headers: res.headers, text: "" }), reject)
        }
      )
      req.on("error", reject)
      req.end(body)
    })
  try {
    if (t.op === "upload") await upload(t, request)
    else if (t.op === "download") await download(t, request)
    else await request("GET", {}, {}, undefined, (res) => pipeTo(res, fs.createWriteStream(t.file)))
  } finally {
    agent.destroy()
  }
}

type Request = (
  method: string,
  query: Record<string, string>,
  headers: Record<string, string | number>,
  body?: Uint8Array | string,
  sink?: (res: http.IncomingMessage) => Promise<void>
) => Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>

const pipeTo = (res: http.IncomingMessage, out: fs.WriteStream) =>
  new Promise<void>((resolve, reject) => {
    res.pipe(out)
    out.on("finish", resolve)
    out.on("error", reject)
    res.on("error", reject)
  })

/** Run `count` jobs (1-based), `concurrency` at a time. */
const pool = async (count: number, concurrency: number, job: (n: number) => Promise<void>) => {
  let next = 1
  const worker = async () => {
    while (next <= count) await job(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}

const upload = async (t: FloorTask, request: Request) => {
  const size = fs.statSync(t.file).size
  const count = Math.ceil(size / t.partSize)
  const init = await request("POST", { uploads: "" }, {})
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.text)![1]
  const fd = fs.openSync(t.file, "r")
  const etags: Array<string> = []
  const free: Array<Buffer> = []
  try {
    await pool(count, t.concurrency, async (n) => {
      const buf = free.pop() ?? Buffer.allocUnsafe(t.partSize)
      const length = Math.min(t.partSize, size - (n - 1) * t.partSize)
      let got = 0
      while (got < length) {
        const read = await new Promise<number>((resolve, reject) => fs.read(fd, buf, got, length - got, (n - 1) * t.partSize + got, (e, r) => (e ? reject(e) : resolve(r))))
        got += read
      }
      const r = await request("PUT", { partNumber: String(n), uploadId }, { "content-length": length }, buf.subarray(0, length))
      etags[n - 1] = String(r.headers.etag)
      free.push(buf)
    })
  } finally {
    fs.closeSync(fd)
  }
  const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")}</CompleteMultipartUpload>`
  await request("POST", { uploadId }, { "content-type": "application/xml", "content-length": Buffer.byteLength(xml) }, xml)
}

const download = async (t: FloorTask, request: Request) => {
  const head = await request("HEAD", {}, {})
  const size = Number(head.headers["content-length"])
  const fd = fs.openSync(t.file, "w")
  try {
    fs.ftruncateSync(fd, size)
    const count = Math.max(1, Math.ceil(size / t.partSize))
    await pool(count, t.concurrency, (n) => {
      const start = (n - 1) * t.partSize
      const end = Math.min(size, start + t.partSize) - 1
      return request("GET", {}, { range: `bytes=${start}-${end}` }, undefined, (res) => writeAt(res, fd, start)).then(() => undefined)
    })
  } finally {
    fs.closeSync(fd)
  }
}

/** Each buffer of a body written at its place as it arrives; the body paused while two writes wait. */
const writeAt = (res: http.IncomingMessage, fd: number, start: number) =>
  new Promise<void>((resolve, reject) => {
    let pos = start
    let pending = 0
    let ended = false
    let failed = false
    const fail = (e: Error) => {
      if (!failed) (failed = true), reject(e)
    }
    const done = () => {
      if (ended && pending === 0 && !failed) resolve()
    }
    res.on("data", (buf: Buffer) => {
      pending++
      const at = pos
      pos += buf.length
      const write = (off: number) =>
        fs.write(fd, buf, off, buf.length - off, at + off, (e, written) => {
          if (e) return fail(e)
          if (off + written < buf.length) return write(off + written)
          pending--
          if (pending < 2 && res.isPaused()) res.resume()
          done()
        })
      write(0)
      if (pending >= 2) res.pause()
    })
    res.on("end", () => ((ended = true), done()))
    res.on("error", fail)
  })
