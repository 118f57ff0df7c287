/**
 * Object operations of the emulator's COS: put (streamed, Content-MD5 checked, CRC-64 computed,
 * `x-cos-forbid-overwrite`), get and head (ranges, conditional headers, `response-*` overrides),
 * delete, copy (metadata directive), append, tagging, ACL, and multipart uploads (initiate, upload
 * part, list parts, complete, abort).
 *
 * @internal
 */
import { createHash, randomUUID } from "node:crypto"
import * as Crc64 from "../../cos/internal/crc64.js"
import { build, childrenOf, parse, textOf } from "../../cos/internal/xml.js"
import { unpct } from "./auth.js"
import { aclXml, iso, OWNER, parseTags, readSmall, tagsXml } from "./buckets.js"
import { type Exchange, fail, header, send, sendBytes } from "./respond.js"
import { type Bucket, type CosObject, type Upload, hashSegments, receive, type Received, sliceSegments } from "./store.js"

const CONTENT_HEADERS = ["content-type", "cache-control", "content-disposition", "content-encoding", "content-language", "expires"]
const MAX_PUT = 5 * 1024 ** 3

const contentHeadersOf = (x: Exchange): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const h of CONTENT_HEADERS) {
    const v = header(x, h)
    if (v !== undefined) out[h] = v
  }
  out["content-type"] ??= "application/octet-stream"
  return out
}

const metaOf = (x: Exchange): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(x.req.headers)) if (k.startsWith("x-cos-meta-") && v !== undefined) out[k] = typeof v === "string" ? v : v.join(",")
  return out
}

const objectHeaders = (o: CosObject): Record<string, string> => ({
  ...o.contentHeaders,
  ...o.meta,
  ETag: o.etag,
  "Last-Modified": new Date(o.lastModified).toUTCString(),
  "x-cos-hash-crc64ecma": o.crc64,
  "x-cos-storage-class": o.storageClass,
  "Accept-Ranges": "bytes",
  ...(o.appendable ? { "x-cos-object-type": "appendable", "x-cos-next-append-position": String(o.size) } : {}),
  ...versionHeader(o),
  ...(o.tags.length > 0 ? { "x-cos-tagging-count": String(o.tags.length) } : {})
})

const versionHeader = (o: CosObject): Record<string, string> => (o.versionId === undefined ? {} : { "x-cos-version-id": o.versionId })

/** Read the body, checking Content-MD5 and size; `undefined` when an error was answered. */
const body = async (x: Exchange): Promise<Received | undefined> => {
  const declared = Number(header(x, "content-length") ?? "NaN")
  if (Number.isFinite(declared) && declared > MAX_PUT) {
    fail(x, 400, "EntityTooLarge", "A single PUT is limited to 5 GB; use a multipart upload.")
    return undefined
  }
  let got: Received
  try {
    got = await receive(x.store, x.req)
  } catch {
    x.done = true
    return undefined
  }
  const md5 = header(x, "content-md5")
  if (md5 !== undefined && md5 !== got.md5.toString("base64")) {
    fail(x, 400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    return undefined
  }
  return got
}

/** `If-*` preconditions: the status to answer, or undefined to proceed. */
const precondition = (x: Exchange, o: CosObject): number | undefined => {
  const im = header(x, "if-match")
  if (im !== undefined && im !== "*" && !im.split(",").map((s) => s.trim()).includes(o.etag)) return 412
  const ius = header(x, "if-unmodified-since")
  if (ius !== undefined && Math.floor(o.lastModified / 1000) > Date.parse(ius) / 1000) return 412
  const inm = header(x, "if-none-match")
  if (inm !== undefined && (inm === "*" || inm.split(",").map((s) => s.trim()).includes(o.etag))) return 304
  const ims = header(x, "if-modified-since")
  if (ims !== undefined && Math.floor(o.lastModified / 1000) <= Date.parse(ims) / 1000) return 304
  return undefined
}

const getObject = (x: Exchange, o: CosObject): void => {
  const pre = precondition(x, o)
  if (pre === 412) return fail(x, 412, "PreconditionFailed", "At least one of the preconditions you specified did not hold.")
  if (pre === 304) return send(x, 304, { ETag: o.etag })
  const h = objectHeaders(o)
  for (const [q, name] of [["response-content-type", "content-type"], ["response-content-disposition", "content-disposition"], ["response-cache-control", "cache-control"], ["response-content-encoding", "content-encoding"], ["response-content-language", "content-language"], ["response-expires", "expires"]] as const) {
    const v = x.query.get(q)
    if (v !== undefined) h[name] = v
  }
  const range = header(x, "range")
  if (range !== undefined) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
    if (m !== null && (m[1] !== "" || m[2] !== "")) {
      let start: number
      let end: number
      if (m[1] === "") {
        start = Math.max(0, o.size - Number(m[2]))
        end = o.size
      } else {
        start = Number(m[1])
        end = m[2] === "" ? o.size : Math.min(o.size, Number(m[2]) + 1)
      }
      if (start >= o.size || start >= end) return fail(x, 416, "InvalidRange", `The range ${range} is not satisfiable for an object of ${o.size} bytes.`, { "Content-Range": `bytes */${o.size}` })
      return sendBytes(x, 206, { ...h, "Content-Range": `bytes ${start}-${end - 1}/${o.size}` }, o.segments, start, end)
    }
  }
  sendBytes(x, 200, h, o.segments, 0, o.size)
}

const newObject = (x: Exchange, key: string, got: Received, etag: string, crc: bigint, base?: Partial<CosObject>): CosObject => ({
  key,
  segments: got.segments,
  size: got.size,
  etag,
  crc64: crc.toString(),
  lastModified: x.ctx.now(),
  contentHeaders: contentHeadersOf(x),
  meta: metaOf(x),
  storageClass: header(x, "x-cos-storage-class") ?? "STANDARD",
  acl: header(x, "x-cos-acl") ?? "default",
  tags: parseTagHeader(header(x, "x-cos-tagging")),
  appendable: false,
  ...base
})

const parseTagHeader = (v: string | undefined): Array<[string, string]> =>
  v === undefined || v === "" ? [] : v.split("&").map((kv) => kv.split("=").map((s) => unpct(s, true)) as [string, string])

const copySource = (x: Exchange, src: string): { bucket: string; key: string } | undefined => {
  const m = /^\/?([a-z0-9-]+-\d+)\.cos\.[a-z0-9-]+\.myqcloud\.com\/(.+)$/.exec(src)
  return m === null ? undefined : { bucket: m[1], key: unpct(m[2].split("?")[0], false) }
}

const copyObject = async (x: Exchange, b: Bucket, src: string): Promise<void> => {
  await readSmall(x)
  const s = copySource(x, src)
  if (s === undefined) return fail(x, 400, "InvalidArgument", "x-cos-copy-source must be <bucket>-<appid>.cos.<region>.myqcloud.com/<key>.")
  const o = x.store.buckets.get(s.bucket)?.objects.get(s.key)
  if (o === undefined) return fail(x, 404, "NoSuchKey", `The copy source ${s.key} does not exist.`)
  if (o.size > MAX_PUT) return fail(x, 400, "InvalidRequest", `The copy source is ${o.size} bytes; a single copy is limited to 5 GB: copy it in parts (Upload Part - Copy).`)
  const directive = header(x, "x-cos-metadata-directive") ?? "Copy"
  if (directive !== "Copy" && directive !== "Replaced") return fail(x, 400, "InvalidArgument", "x-cos-metadata-directive must be Copy or Replaced.")
  if (s.bucket === b.name && s.key === x.key && directive === "Copy") {
    return fail(x, 400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata.")
  }
  const copy: CosObject = {
    ...o,
    key: x.key,
    lastModified: x.ctx.now(),
    ...(directive === "Replaced" ? { contentHeaders: contentHeadersOf(x), meta: metaOf(x) } : {}),
    storageClass: header(x, "x-cos-storage-class") ?? o.storageClass
  }
  const stored = x.store.putObject(b, copy)
  send(x, 200, { "x-cos-hash-crc64ecma": copy.crc64, ...versionHeader(stored) }, build("CopyObjectResult", { ETag: copy.etag, LastModified: iso(copy.lastModified), CRC64: copy.crc64 }))
}

/** Upload Part - Copy: a part from a range of another object (`x-cos-copy-source-range`). */
const partCopy = async (x: Exchange, u: Upload, n: number, src: string): Promise<void> => {
  await readSmall(x)
  const s = copySource(x, src)
  if (s === undefined) return fail(x, 400, "InvalidArgument", "x-cos-copy-source must be <bucket>-<appid>.cos.<region>.myqcloud.com/<key>.")
  const o = x.store.buckets.get(s.bucket)?.objects.get(s.key)
  if (o === undefined) return fail(x, 404, "NoSuchKey", `The copy source ${s.key} does not exist.`)
  const ifMatch = header(x, "x-cos-copy-source-if-match")
  if (ifMatch !== undefined && ifMatch.replace(/"/g, "") !== o.etag.replace(/"/g, "")) return fail(x, 412, "PreconditionFailed", "x-cos-copy-source-If-Match does not match the source's ETag.")
  const range = header(x, "x-cos-copy-source-range")
  let start = 0
  let end = o.size
  if (range !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim())
    if (m === null || Number(m[1]) > Number(m[2]) || Number(m[2]) >= o.size) {
      return fail(x, 400, "InvalidArgument", `x-cos-copy-source-range ${range} is not bytes=first-last within the source's ${o.size} bytes.`)
    }
    start = Number(m[1])
    end = Number(m[2]) + 1
  }
  if (end - start > MAX_PUT) return fail(x, 400, "EntityTooLarge", "A part is limited to 5 GB.")
  const segments = sliceSegments(o.segments, start, end)
  const h = await hashSegments(segments)
  const etag = `"${h.md5.toString("hex")}"`
  const lastModified = x.ctx.now()
  u.parts.set(n, { number: n, segments, size: h.size, etag, crc64: h.crc64, lastModified })
  send(x, 200, { "x-cos-hash-crc64ecma": h.crc64.toString() }, build("CopyPartResult", { ETag: etag, LastModified: iso(lastModified), CRC64: h.crc64.toString() }))
}

const multipart = async (x: Exchange, b: Bucket): Promise<void> => {
  const q = x.query
  if (q.has("uploads") && x.method === "POST") {
    await readSmall(x)
    const id = randomUUID().replace(/-/g, "")
    b.uploads.set(id, { id, key: x.key, initiated: x.ctx.now(), contentHeaders: contentHeadersOf(x), meta: metaOf(x), storageClass: header(x, "x-cos-storage-class") ?? "STANDARD", parts: new Map() })
    return send(x, 200, {}, build("InitiateMultipartUploadResult", { Bucket: b.name, Key: x.key, UploadId: id }))
  }
  const id = q.get("uploadId")!
  const u = b.uploads.get(id)
  if (u === undefined || u.key !== x.key) return fail(x, 404, "NoSuchUpload", `The multipart upload ${id} does not exist (completed, aborted or never started).`)
  if (q.has("partNumber")) {
    const n = Number(q.get("partNumber"))
    if (!Number.isInteger(n) || n < 1 || n > 10000) return fail(x, 400, "InvalidArgument", "partNumber must be an integer from 1 to 10000.")
    const src = header(x, "x-cos-copy-source")
    if (src !== undefined) return partCopy(x, u, n, src)
    const got = await body(x)
    if (got === undefined) return
    const etag = `"${got.md5.toString("hex")}"`
    u.parts.set(n, { number: n, segments: got.segments, size: got.size, etag, crc64: got.crc64, lastModified: x.ctx.now() })
    return send(x, 200, { ETag: etag, "x-cos-hash-crc64ecma": got.crc64.toString() })
  }
  if (x.method === "DELETE") {
    b.uploads.delete(id)
    return send(x, 204, {})
  }
  if (x.method === "GET") {
    const marker = Number(q.get("part-number-marker") ?? 0)
    const max = Math.min(1000, Number(q.get("max-parts") ?? 1000))
    const all = [...u.parts.values()].sort((a, c) => a.number - c.number).filter((p) => p.number > marker)
    const page = all.slice(0, max)
    return send(x, 200, {}, build("ListPartsResult", {
      Bucket: b.name, Key: x.key, UploadId: id, Owner: OWNER, StorageClass: u.storageClass,
      PartNumberMarker: marker, NextPartNumberMarker: page.length > 0 ? page[page.length - 1].number : marker, MaxParts: max, IsTruncated: all.length > max,
      Part: page.map((p) => ({ PartNumber: p.number, LastModified: iso(p.lastModified), ETag: p.etag, Size: p.size }))
    }))
  }
  // complete
  const doc = parse((await readSmall(x)) ?? "")
  if (doc === undefined || doc.name !== "CompleteMultipartUpload") return fail(x, 400, "MalformedXML", "The body must be a <CompleteMultipartUpload> document.")
  const listed = childrenOf(doc, "Part").map((p) => ({ n: Number(textOf(p, "PartNumber")), etag: textOf(p, "ETag") ?? "" }))
  if (listed.length === 0) return fail(x, 400, "MalformedXML", "A completion must list at least one part.")
  let prev = 0
  const md5s: Array<Buffer> = []
  const segments: Array<import("./store.js").Segment> = []
  let size = 0
  let crc: bigint | undefined
  for (let i = 0; i < listed.length; i++) {
    const { n, etag } = listed[i]
    if (!(n > prev)) return fail(x, 400, "InvalidPartOrder", "The parts must be listed in ascending PartNumber order.")
    prev = n
    const p = u.parts.get(n)
    if (p === undefined || p.etag.replace(/"/g, "") !== etag.replace(/"/g, "")) return fail(x, 400, "InvalidPart", `Part ${n} was not uploaded or its ETag ${etag} does not match.`)
    if (i < listed.length - 1 && p.size < 1024 * 1024) return fail(x, 400, "EntityTooSmall", `Part ${n} is ${p.size} bytes; every part but the last must be at least 1 MB.`)
    md5s.push(Buffer.from(p.etag.replace(/"/g, ""), "hex"))
    segments.push(...p.segments)
    crc = crc === undefined ? p.crc64 : Crc64.combine(crc, p.crc64, p.size)
    size += p.size
  }
  const etag = `"${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-${listed.length}"`
  const o: CosObject = {
    key: x.key, segments, size, etag, crc64: (crc ?? 0n).toString(), lastModified: x.ctx.now(), contentHeaders: u.contentHeaders, meta: u.meta,
    storageClass: u.storageClass, acl: "default", tags: [], appendable: false
  }
  const stored = x.store.putObject(b, o)
  b.uploads.delete(id)
  send(x, 200, { "x-cos-hash-crc64ecma": o.crc64, ...versionHeader(stored) }, build("CompleteMultipartUploadResult", { Location: `${b.name}.cos.${b.region}.myqcloud.com/${x.key}`, Bucket: b.name, Key: x.key, ETag: etag }))
}

export const objectOp = async (x: Exchange, anonymous: boolean): Promise<void> => {
  const b = x.store.buckets.get(x.bucket!)
  if (b === undefined) return fail(x, 404, "NoSuchBucket", `The bucket ${x.bucket} does not exist.`)
  const o = b.objects.get(x.key)
  if (anonymous) {
    const acl = o === undefined || o.acl === "default" ? b.acl : o.acl
    const readable = acl === "public-read" || acl === "public-read-write"
    const allowed = (x.method === "GET" || x.method === "HEAD") && readable && !x.query.has("acl") && !x.query.has("uploadId")
    if (!allowed) return fail(x, 403, "AccessDenied", "Access Denied: the object is private and the request is not signed.")
  }
  const q = x.query
  const versionId = q.get("versionId")
  if (versionId !== undefined && (x.method === "GET" || x.method === "HEAD" || x.method === "DELETE") && !q.has("tagging") && !q.has("acl")) {
    if (x.method === "DELETE") {
      x.store.deleteVersion(b, x.key, versionId)
      return send(x, 204, { "x-cos-version-id": versionId })
    }
    const v = x.store.findVersion(b, x.key, versionId)
    if (v === undefined) return fail(x, 404, "NoSuchVersion", `The version ${versionId} of ${x.key} does not exist.`)
    return getObject(x, v)
  }
  if (q.has("uploads") || q.has("uploadId")) return multipart(x, b)
  if (q.has("tagging")) {
    if (o === undefined) return fail(x, 404, "NoSuchKey", `The object ${x.key} does not exist.`)
    if (x.method === "GET") return send(x, 200, {}, tagsXml(o.tags))
    if (x.method === "DELETE") {
      x.store.replaceObject(b, { ...o, tags: [] })
      return send(x, 204, {})
    }
    const tags = parseTags(await readSmall(x))
    if (tags === undefined) return fail(x, 400, "MalformedXML", "The body must be a <Tagging> document.")
    x.store.replaceObject(b, { ...o, tags })
    return send(x, 200, {})
  }
  if (q.has("acl")) {
    if (o === undefined) return fail(x, 404, "NoSuchKey", `The object ${x.key} does not exist.`)
    if (x.method === "GET") return send(x, 200, {}, aclXml(o.acl === "default" ? b.acl : o.acl))
    await readSmall(x)
    x.store.replaceObject(b, { ...o, acl: header(x, "x-cos-acl") ?? "default" })
    return send(x, 200, {})
  }
  if (q.has("append") && x.method === "POST") {
    const position = Number(q.get("position"))
    if (o !== undefined && !o.appendable) return fail(x, 409, "ObjectNotAppendable", "The object was not created by Append Object.")
    if (position !== (o?.size ?? 0)) return fail(x, 409, "PositionNotEqualToLength", `position ${position} is not the object's length ${o?.size ?? 0}.`, { "x-cos-next-append-position": String(o?.size ?? 0) })
    const got = await body(x)
    if (got === undefined) return
    const crc = o === undefined ? got.crc64 : Crc64.combine(BigInt(o.crc64), got.crc64, got.size)
    const next = o === undefined
      ? newObject(x, x.key, got, `"${got.md5.toString("hex")}"`, crc, { appendable: true })
      : { ...o, segments: [...o.segments, ...got.segments], size: o.size + got.size, crc64: crc.toString(), lastModified: x.ctx.now(), etag: `"${createHash("md5").update(o.etag + got.md5.toString("hex")).digest("hex")}"` }
    // appends grow the object in place (COS refuses appends in versioned buckets)
    if (o === undefined) x.store.putObject(b, next)
    else x.store.replaceObject(b, next)
    return send(x, 200, { ETag: next.etag, "x-cos-next-append-position": String(next.size), "x-cos-hash-crc64ecma": next.crc64 })
  }
  switch (x.method) {
    case "GET":
    case "HEAD":
      if (o === undefined) return fail(x, 404, "NoSuchKey", `The specified key does not exist: ${x.key}.`)
      return getObject(x, o)
    case "DELETE":
      x.store.deleteObject(b, x.key)
      return send(x, 204, {})
    case "PUT": {
      const src = header(x, "x-cos-copy-source")
      if (src !== undefined) return copyObject(x, b, src)
      if (header(x, "x-cos-forbid-overwrite") === "true" && o !== undefined) {
        return fail(x, 409, "FileAlreadyExists", `The object ${x.key} exists and x-cos-forbid-overwrite is true.`)
      }
      if (header(x, "if-none-match") === "*" && o !== undefined) return fail(x, 412, "PreconditionFailed", `The object ${x.key} already exists.`)
      const got = await body(x)
      if (got === undefined) return
      const obj = x.store.putObject(b, newObject(x, x.key, got, `"${got.md5.toString("hex")}"`, got.crc64))
      return send(x, 200, { ETag: obj.etag, "x-cos-hash-crc64ecma": obj.crc64, ...versionHeader(obj) })
    }
    default:
      return fail(x, 405, "MethodNotAllowed", `${x.method} is not allowed on an object.`)
  }
}
