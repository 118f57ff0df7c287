/**
 * The emulator-only Huawei Cloud file store: a multipart upload and a streamed download, to test
 * the client's multipart and streaming paths.
 *
 * @internal
 */
import { bad, ok, type Route } from "./routes.js"
import { fail } from "./state.js"

/** Upload (multipart) and download of files kept in memory. */
export const fileRoutes: ReadonlyArray<Route> = [
  {
    service: "files", method: "POST", action: "UploadFile", path: "/v1/{project_id}/files",
    handle: (i) => {
      const ctype = i.req.headers["content-type"] ?? ""
      const parts = parseMultipart(i.body, ctype)
      if (typeof parts === "string") return bad(i, "FILES.0001", parts)
      const file = parts.find((p) => p.filename !== undefined)
      if (file === undefined) return bad(i, "FILES.0002", "The form has no file part.")
      const fields: Record<string, string> = {}
      for (const p of parts) if (p.filename === undefined) fields[p.name] = p.data.toString("utf8")
      const name = fields.name ?? file.filename ?? "file"
      i.world.files.set(name, { name, bytes: file.data, contentType: file.contentType ?? "application/octet-stream", fields })
      return ok({ name, size: file.data.length, fields }, 201)
    }
  },
  {
    service: "files", method: "GET", action: "DownloadFile", path: "/v1/{project_id}/files/{name}",
    handle: (i) => {
      const f = i.world.files.get(i.params.name)
      if (f === undefined) return fail(404, "FILES.0404", `No file named ${i.params.name}.`, i.requestId)
      return { status: 200, bytes: f.bytes, contentType: f.contentType }
    }
  }
]

interface Part {
  readonly name: string
  readonly filename: string | undefined
  readonly contentType: string | undefined
  readonly data: Buffer
}

/** Parse `multipart/form-data` (RFC 7578) from the raw body. */
export const parseMultipart = (body: Buffer, contentType: string): Array<Part> | string => {
  const m = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  if (m === null) return "Content-Type must be multipart/form-data with a boundary."
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`)
  const out: Array<Part> = []
  let pos = body.indexOf(delimiter)
  if (pos < 0) return "The body has no boundary."
  for (;;) {
    pos += delimiter.length
    if (body.subarray(pos, pos + 2).toString() === "--") return out
    pos += 2 // CRLF
    const headEnd = body.indexOf("\r\n\r\n", pos)
    if (headEnd < 0) return "A part has no header end."
    const head = body.subarray(pos, headEnd).toString("utf8")
    const next = body.indexOf(delimiter, headEnd + 4)
    if (next < 0) return "The body has no closing boundary."
    const data = body.subarray(headEnd + 4, next - 2)
    const name = /name="([^"]*)"/i.exec(head)?.[1]
    if (name === undefined) return "A part has no name."
    out.push({ name, filename: /filename="([^"]*)"/i.exec(head)?.[1], contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1], data })
    pos = next
  }
}

