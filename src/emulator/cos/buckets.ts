/**
 * Bucket operations of the emulator's COS: list buckets (service), create/head/delete, list
 * objects (prefix, delimiter, marker, max-keys, `encoding-type=url`), location, versioning, CORS,
 * lifecycle, ACL, tagging, multipart upload listing and Delete Multiple Objects.
 *
 * @internal
 */
import { build, child, childrenOf, parse, textOf } from "../../cos/internal/xml.js"
import { type Exchange, fail, header, send } from "./respond.js"
import type { Bucket } from "./store.js"

const OWNER = { ID: "qcs::cam::uin/100000000001:uin/100000000001", DisplayName: "100000000001" }
const iso = (t: number) => new Date(t).toISOString()
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]?-\d{5,}$/

/** Read a small body (XML documents), refusing more than 1 MB. */
export const readSmall = (x: Exchange): Promise<string | undefined> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    let size = 0
    x.req.on("data", (c: Buffer) => {
      size += c.length
      if (size <= 1 << 20) chunks.push(c)
    })
    x.req.on("end", () => resolve(size > 1 << 20 ? undefined : Buffer.concat(chunks).toString("utf8")))
    x.req.on("error", () => resolve(undefined))
  })

export const serviceOp = (x: Exchange): void => {
  if (x.method !== "GET") return fail(x, 405, "MethodNotAllowed", "The service endpoint answers GET only.")
  const buckets = [...x.store.buckets.values()].map((b) => ({ Name: b.name, Location: b.region, CreationDate: iso(b.created) }))
  send(x, 200, {}, build("ListAllMyBucketsResult", { Owner: OWNER, Buckets: { Bucket: buckets } }))
}

const tagsXml = (tags: ReadonlyArray<readonly [string, string]>) => build("Tagging", { TagSet: { Tag: tags.map(([Key, Value]) => ({ Key, Value })) } })

export const parseTags = (body: string | undefined): Array<[string, string]> | undefined => {
  const doc = body === undefined ? undefined : parse(body)
  if (doc === undefined || doc.name !== "Tagging") return undefined
  return childrenOf(child(doc, "TagSet"), "Tag").map((t) => [textOf(t, "Key") ?? "", textOf(t, "Value") ?? ""])
}

export const aclXml = (acl: string) => {
  const grants: Array<Record<string, unknown>> = [{ Grantee: { ID: OWNER.ID, DisplayName: OWNER.DisplayName }, Permission: "FULL_CONTROL" }]
  if (acl === "public-read" || acl === "public-read-write") grants.push({ Grantee: { URI: "http://cam.qcloud.com/groups/global/AllUsers" }, Permission: "READ" })
  if (acl === "public-read-write") grants.push({ Grantee: { URI: "http://cam.qcloud.com/groups/global/AllUsers" }, Permission: "WRITE" })
  return build("AccessControlPolicy", { Owner: OWNER, AccessControlList: { Grant: grants as never } })
}

const ACLS = new Set(["private", "public-read", "public-read-write", "default"])

const listObjects = (x: Exchange, b: Bucket): void => {
  const q = x.query
  const prefix = q.get("prefix") ?? ""
  const delimiter = q.get("delimiter") ?? ""
  const marker = q.get("marker") ?? ""
  const maxRaw = q.get("max-keys")
  const max = maxRaw === undefined ? 1000 : Number(maxRaw)
  if (!Number.isInteger(max) || max < 0 || max > 1000) return fail(x, 400, "InvalidArgument", "max-keys must be an integer from 0 to 1000.")
  const urlEncode = q.get("encoding-type") === "url"
  const enc = (s: string) => (urlEncode ? encodeURIComponent(s).replace(/%2F/g, "/") : s)
  const keys = x.store.sortedKeys(b)
  // binary search for the first key after the marker
  let lo = 0
  let hi = keys.length
  const from = marker > prefix ? marker : prefix
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (keys[mid] < from) lo = mid + 1
    else hi = mid
  }
  const contents: Array<Record<string, unknown>> = []
  const prefixes: Array<string> = []
  let truncated = false
  let last = ""
  for (let i = lo; i < keys.length; i++) {
    const k = keys[i]
    if (!k.startsWith(prefix)) break
    if (k <= marker) continue
    // the marker was a common prefix: its keys were rolled up on the page before
    if (delimiter !== "" && marker.endsWith(delimiter) && marker.length > prefix.length && k.startsWith(marker)) continue
    let common: string | undefined
    if (delimiter !== "") {
      const j = k.indexOf(delimiter, prefix.length)
      if (j >= 0) common = k.slice(0, j + delimiter.length)
    }
    if (common !== undefined && prefixes[prefixes.length - 1] === common) continue
    if (contents.length + prefixes.length >= max) {
      truncated = true
      break
    }
    if (common !== undefined) {
      prefixes.push(common)
      last = common
      // skip the rest of this common prefix
      while (i + 1 < keys.length && keys[i + 1].startsWith(common)) i++
    } else {
      const o = b.objects.get(k)!
      contents.push({ Key: enc(k), LastModified: iso(o.lastModified), ETag: o.etag, Size: o.size, Owner: OWNER, StorageClass: o.storageClass })
      last = k
    }
  }
  send(
    x,
    200,
    {},
    build("ListBucketResult", {
      Name: b.name,
      EncodingType: urlEncode ? "url" : undefined,
      Prefix: enc(prefix),
      Marker: enc(marker),
      MaxKeys: max,
      Delimiter: delimiter === "" ? undefined : enc(delimiter),
      IsTruncated: truncated,
      NextMarker: truncated ? enc(last) : undefined,
      CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
      Contents: contents as never
    })
  )
}

const deleteMany = async (x: Exchange, b: Bucket): Promise<void> => {
  const body = await readSmall(x)
  const doc = body === undefined ? undefined : parse(body)
  if (doc === undefined || doc.name !== "Delete") return fail(x, 400, "MalformedXML", "The body must be a <Delete> document.")
  const objects = childrenOf(doc, "Object")
  if (objects.length > 1000) return fail(x, 400, "MalformedXML", "At most 1000 objects per Delete Multiple Objects request.")
  const quiet = textOf(doc, "Quiet") === "true"
  const deleted: Array<Record<string, string>> = []
  for (const o of objects) {
    const key = textOf(o, "Key") ?? ""
    x.store.deleteObject(b, key)
    if (!quiet) deleted.push({ Key: key })
  }
  send(x, 200, {}, build("DeleteResult", { Deleted: deleted as never }))
}

const subresource = async (x: Exchange, b: Bucket, name: "cors" | "lifecycle", root: string): Promise<void> => {
  if (x.method === "GET") {
    const v = b[name]
    if (v === undefined) return fail(x, 404, name === "cors" ? "NoSuchCORSConfiguration" : "NoSuchLifecycleConfiguration", `The bucket has no ${name} configuration.`)
    return send(x, 200, {}, v)
  }
  if (x.method === "DELETE") {
    b[name] = undefined
    return send(x, 204, {})
  }
  const body = await readSmall(x)
  const doc = body === undefined ? undefined : parse(body)
  if (doc === undefined || doc.name !== root) return fail(x, 400, "MalformedXML", `The body must be a <${root}> document.`)
  b[name] = body
  send(x, 200, {})
}

export const bucketOp = async (x: Exchange, anonymous: boolean, hostRegion: string | undefined): Promise<void> => {
  const name = x.bucket!
  const q = x.query
  const b = x.store.buckets.get(name)
  if (x.method === "PUT" && q.size === 0) {
    if (anonymous) return fail(x, 403, "AccessDenied", "Creating a bucket needs a signed request.")
    if (!BUCKET_NAME.test(name)) return fail(x, 400, "InvalidBucketName", `The bucket name ${name} is not <name>-<appid> with lower-case letters, digits and '-'.`)
    if (b !== undefined) return fail(x, 409, "BucketAlreadyOwnedByYou", `The bucket ${name} already exists and is yours.`)
    await readSmall(x)
    const acl = header(x, "x-cos-acl") ?? "private"
    x.store.buckets.set(name, { name, region: hostRegion ?? "ap-guangzhou", created: x.ctx.now(), acl, versioning: undefined, cors: undefined, lifecycle: undefined, tags: [], objects: new Map(), versions: new Map(), uploads: new Map(), sorted: undefined })
    return send(x, 200, {})
  }
  if (b === undefined) return fail(x, 404, "NoSuchBucket", `The bucket ${name} does not exist.`)
  const publicRead = b.acl === "public-read" || b.acl === "public-read-write"
  if (anonymous && !(publicRead && (x.method === "GET" || x.method === "HEAD") && q.size <= 6 && !q.has("acl"))) {
    return fail(x, 403, "AccessDenied", "Access Denied: the bucket is private and the request is not signed.")
  }
  if (q.has("delete") && x.method === "POST") return deleteMany(x, b)
  if (q.has("cors")) return subresource(x, b, "cors", "CORSConfiguration")
  if (q.has("lifecycle")) return subresource(x, b, "lifecycle", "LifecycleConfiguration")
  if (q.has("location") && x.method === "GET") return send(x, 200, {}, build("LocationConstraint", b.region))
  if (q.has("versioning")) {
    if (x.method === "GET") return send(x, 200, {}, build("VersioningConfiguration", { Status: b.versioning }))
    const doc = parse((await readSmall(x)) ?? "")
    const status = textOf(doc, "Status")
    if (status !== "Enabled" && status !== "Suspended") return fail(x, 400, "MalformedXML", "Status must be Enabled or Suspended.")
    b.versioning = status
    return send(x, 200, {})
  }
  if (q.has("acl")) {
    if (x.method === "GET") return send(x, 200, {}, aclXml(b.acl))
    await readSmall(x)
    const acl = header(x, "x-cos-acl") ?? "private"
    if (!ACLS.has(acl)) return fail(x, 400, "InvalidArgument", `x-cos-acl ${acl} is not private, public-read or public-read-write.`)
    b.acl = acl
    return send(x, 200, {})
  }
  if (q.has("tagging")) {
    if (x.method === "GET") return b.tags.length === 0 ? fail(x, 404, "NoSuchTagSet", "The bucket has no tags.") : send(x, 200, {}, tagsXml(b.tags))
    if (x.method === "DELETE") {
      b.tags = []
      return send(x, 204, {})
    }
    const tags = parseTags(await readSmall(x))
    if (tags === undefined) return fail(x, 400, "MalformedXML", "The body must be a <Tagging> document.")
    b.tags = tags
    return send(x, 200, {})
  }
  if (q.has("uploads") && x.method === "GET") {
    // paged by (key, upload id) after key-marker / upload-id-marker, max-uploads at a time (≤ 1000)
    const prefix = q.get("prefix") ?? ""
    const keyMarker = q.get("key-marker") ?? ""
    const idMarker = q.get("upload-id-marker") ?? ""
    const max = Math.max(1, Math.min(1000, Number(q.get("max-uploads") ?? 1000) || 1000))
    const after = (u: { key: string; id: string }) => u.key > keyMarker || (u.key === keyMarker && idMarker !== "" && u.id > idMarker)
    const all = [...b.uploads.values()]
      .filter((u) => u.key.startsWith(prefix) && (keyMarker === "" || after(u)))
      .sort((u, v) => (u.key < v.key ? -1 : u.key > v.key ? 1 : u.id < v.id ? -1 : u.id > v.id ? 1 : 0))
    const page = all.slice(0, max)
    const last = page[page.length - 1]
    const truncated = all.length > max
    return send(x, 200, {}, build("ListMultipartUploadsResult", {
      Bucket: b.name, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker, MaxUploads: max, IsTruncated: truncated,
      ...(truncated && last !== undefined ? { NextKeyMarker: last.key, NextUploadIdMarker: last.id } : {}),
      Upload: page.map((u) => ({ Key: u.key, UploadId: u.id, StorageClass: u.storageClass, Initiated: iso(u.initiated) }))
    }))
  }
  switch (x.method) {
    case "HEAD":
      return send(x, 200, { "x-cos-bucket-region": b.region })
    case "GET":
      return listObjects(x, b)
    case "DELETE":
      if (b.objects.size > 0) return fail(x, 409, "BucketNotEmpty", `The bucket ${name} is not empty; delete its objects first.`)
      x.store.buckets.delete(name)
      return send(x, 204, {})
    default:
      return fail(x, 405, "MethodNotAllowed", `${x.method} is not allowed on a bucket.`)
  }
}

export { OWNER, iso, tagsXml }
