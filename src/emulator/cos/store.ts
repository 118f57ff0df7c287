/**
 * The emulator's COS storage: buckets, objects and multipart uploads. An object's bytes are a list
 * of segments (the chunks as they arrived, or parts joined by Complete without copying), kept in
 * memory or, when `TENCENTCLOUD_EMULATOR_COS_DIR` names a folder, in files there (for benchmarks
 * that push gigabytes through the emulator).
 *
 * @internal
 */
import { createHash, randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Readable } from "node:stream"
import * as Crc64 from "../../cos/internal/crc64.js"

/** A run of bytes: in memory, or in a file. */
export type Segment = { readonly buf: Buffer } | { readonly file: string; readonly offset: number; readonly length: number }

export const segLength = (s: Segment): number => ("buf" in s ? s.buf.length : s.length)

/** Object metadata and bytes. */
export interface CosObject {
  readonly key: string
  readonly segments: ReadonlyArray<Segment>
  readonly size: number
  readonly etag: string
  readonly crc64: string
  readonly lastModified: number
  /** Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Expires, Content-Language (lower-case names). */
  readonly contentHeaders: Readonly<Record<string, string>>
  /** `x-cos-meta-*` headers (lower-case, full names). */
  readonly meta: Readonly<Record<string, string>>
  readonly storageClass: string
  readonly acl: string
  readonly tags: ReadonlyArray<readonly [string, string]>
  /** Appendable objects grow with Append Object. */
  readonly appendable: boolean
  /** Set when the object was written while the bucket's versioning was on. */
  readonly versionId?: string | undefined
}

export interface Part {
  readonly number: number
  readonly segments: ReadonlyArray<Segment>
  readonly size: number
  readonly etag: string
  readonly crc64: bigint
  readonly lastModified: number
}

export interface Upload {
  readonly id: string
  readonly key: string
  readonly initiated: number
  readonly contentHeaders: Readonly<Record<string, string>>
  readonly meta: Readonly<Record<string, string>>
  readonly storageClass: string
  readonly parts: Map<number, Part>
}

export interface Bucket {
  readonly name: string
  readonly region: string
  readonly created: number
  acl: string
  versioning: "Enabled" | "Suspended" | undefined
  cors: string | undefined
  lifecycle: string | undefined
  tags: ReadonlyArray<readonly [string, string]>
  readonly objects: Map<string, CosObject>
  /** Earlier versions of each key (oldest first), kept while versioning is on. */
  readonly versions: Map<string, Array<CosObject>>
  readonly uploads: Map<string, Upload>
  sorted: Array<string> | undefined
}

export class Store {
  readonly buckets = new Map<string, Bucket>()
  readonly dir: string | undefined

  constructor(dir: string | undefined) {
    this.dir = dir
    if (dir !== undefined) fs.mkdirSync(dir, { recursive: true })
  }

  reset(): void {
    this.buckets.clear()
    if (this.dir !== undefined) {
      for (const f of fs.readdirSync(this.dir)) if (f.startsWith("cos-")) fs.rmSync(path.join(this.dir, f), { force: true })
    }
  }

  sortedKeys(b: Bucket): ReadonlyArray<string> {
    if (b.sorted === undefined) b.sorted = [...b.objects.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))
    return b.sorted
  }

  /**
   * Store a new object (a new version of its key while versioning is on: the current one is kept
   * as an earlier version); the object as stored.
   */
  putObject(b: Bucket, o: CosObject): CosObject {
    const prev = b.objects.get(o.key)
    // a copy arrives with its source's version id: a new object is a new version or none
    let stored: CosObject = o.versionId === undefined ? o : { ...o, versionId: undefined }
    if (b.versioning === "Enabled") {
      stored = { ...o, versionId: randomUUID().replace(/-/g, "") }
      if (prev !== undefined) this.earlier(b, o.key).push(prev)
    }
    if (prev === undefined) b.sorted = undefined
    b.objects.set(o.key, stored)
    return stored
  }

  /** Change the current object in place (tags, ACL): no new version. */
  replaceObject(b: Bucket, o: CosObject): void {
    b.objects.set(o.key, o)
  }

  /** Delete a key's current object (kept as an earlier version while versioning is on). */
  deleteObject(b: Bucket, key: string): boolean {
    const current = b.objects.get(key)
    if (current !== undefined && b.versioning === "Enabled") this.earlier(b, key).push(current)
    const had = b.objects.delete(key)
    if (had) b.sorted = undefined
    return had
  }

  /** A version of a key (`null` names an object written before versioning was on). */
  findVersion(b: Bucket, key: string, versionId: string): CosObject | undefined {
    const match = (o: CosObject) => (o.versionId ?? "null") === versionId
    const current = b.objects.get(key)
    return current !== undefined && match(current) ? current : b.versions.get(key)?.find(match)
  }

  /** Delete one version; deleting the current one makes the latest earlier version current. */
  deleteVersion(b: Bucket, key: string, versionId: string): boolean {
    const current = b.objects.get(key)
    const earlier = b.versions.get(key) ?? []
    if (current !== undefined && (current.versionId ?? "null") === versionId) {
      const previous = earlier.pop()
      if (previous !== undefined) b.objects.set(key, previous)
      else this.deleteObjectOnly(b, key)
      return true
    }
    const i = earlier.findIndex((o) => (o.versionId ?? "null") === versionId)
    if (i >= 0) earlier.splice(i, 1)
    return i >= 0
  }

  private deleteObjectOnly(b: Bucket, key: string): void {
    if (b.objects.delete(key)) b.sorted = undefined
  }

  private earlier(b: Bucket, key: string): Array<CosObject> {
    let list = b.versions.get(key)
    if (list === undefined) b.versions.set(key, (list = []))
    return list
  }
}

/** What reading a body produced. */
export interface Received {
  readonly segments: ReadonlyArray<Segment>
  readonly size: number
  readonly md5: Buffer
  readonly crc64: bigint
}

/** Read a request body into segments, hashing as it goes. */
export const receive = (store: Store, req: NodeJS.ReadableStream): Promise<Received> =>
  new Promise((resolve, reject) => {
    const md5 = createHash("md5")
    const crc = Crc64.init()
    let size = 0
    const chunks: Array<Buffer> = []
    let file: string | undefined
    let out: fs.WriteStream | undefined
    if (store.dir !== undefined) {
      file = path.join(store.dir, `cos-${randomUUID()}`)
      out = fs.createWriteStream(file)
      out.on("error", reject)
    }
    req.on("data", (c: Buffer) => {
      size += c.length
      md5.update(c)
      Crc64.update(crc, c)
      if (out !== undefined) {
        if (!out.write(c)) {
          req.pause()
          out.once("drain", () => req.resume())
        }
      } else chunks.push(c)
    })
    req.on("error", reject)
    req.on("aborted", () => reject(new Error("aborted")))
    req.on("end", () => {
      const done = () =>
        resolve({
          segments: file !== undefined ? (size === 0 ? [] : [{ file, offset: 0, length: size }]) : chunks.map((buf) => ({ buf })),
          size,
          md5: md5.digest(),
          crc64: Crc64.digest(crc)
        })
      if (out !== undefined) out.end(done)
      else done()
    })
  })

/** The bytes `[start, end)` of some segments, as a readable stream. */
export const readRange = (segments: ReadonlyArray<Segment>, start: number, end: number): Readable => {
  async function* gen() {
    let pos = 0
    for (const s of segments) {
      const len = segLength(s)
      const from = Math.max(start, pos)
      const to = Math.min(end, pos + len)
      if (from < to) {
        if ("buf" in s) yield s.buf.subarray(from - pos, to - pos)
        else {
          for await (const c of fs.createReadStream(s.file, { start: s.offset + from - pos, end: s.offset + to - pos - 1, highWaterMark: 1 << 20 })) yield c as Buffer
        }
      }
      pos += len
      if (pos >= end) break
    }
  }
  return Readable.from(gen(), { objectMode: false })
}

/** All bytes of some segments in one buffer (small objects only: copies, tests). */
export const readAll = async (segments: ReadonlyArray<Segment>): Promise<Buffer> => {
  const parts: Array<Buffer> = []
  for (const s of segments) parts.push("buf" in s ? s.buf : await fs.promises.readFile(s.file).then((b) => b.subarray(s.offset, s.offset + s.length)))
  return Buffer.concat(parts)
}

/** The segments covering bytes `[start, end)` of some segments (views, no copies). */
export const sliceSegments = (segments: ReadonlyArray<Segment>, start: number, end: number): Array<Segment> => {
  const out: Array<Segment> = []
  let pos = 0
  for (const s of segments) {
    const len = segLength(s)
    const from = Math.max(start, pos) - pos
    const to = Math.min(end, pos + len) - pos
    if (from < to) out.push("buf" in s ? { buf: s.buf.subarray(from, to) } : { file: s.file, offset: s.offset + from, length: to - from })
    pos += len
    if (pos >= end) break
  }
  return out
}

/** The MD5 and CRC-64 of some segments' bytes (read as a stream: files are not loaded whole). */
export const hashSegments = async (segments: ReadonlyArray<Segment>): Promise<{ readonly md5: Buffer; readonly crc64: bigint; readonly size: number }> => {
  const md5 = createHash("md5")
  const crc = Crc64.init()
  let size = 0
  const total = segments.reduce((n, s) => n + segLength(s), 0)
  for await (const c of readRange(segments, 0, total)) {
    md5.update(c as Buffer)
    Crc64.update(crc, c as Buffer)
    size += (c as Buffer).length
  }
  return { md5: md5.digest(), crc64: Crc64.digest(crc), size }
}
