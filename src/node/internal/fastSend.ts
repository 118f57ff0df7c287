/**
 * The undici transport's fast lane (`core/fastLane.ts`): one exchange in one promise, straight on
 * the dispatcher — no platform request object, no Effect per body read. The body is read as UTF-8
 * within `maxBytes` (checked against `Content-Length` first, then while reading).
 *
 * @internal
 */
import type { Dispatcher } from "undici"
import { FastBroken, type FastRequest, type FastResponse, type FastSend, FastTooLarge } from "../../core/fastLane.js"

const splitUrl = (url: string): { origin: string; path: string } => {
  const i = url.indexOf("/", url.indexOf("//") + 2)
  return i < 0 ? { origin: url, path: "/" } : { origin: url.slice(0, i), path: url.slice(i) }
}

type Body = Dispatcher.ResponseData["body"]

const readCapped = (body: Body, maxBytes: number): Promise<string> =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    // a destroyed body may still report an error: it must never go unheard (an unhandled 'error' ends the process)
    body.on("error", (e) => reject(e))
    body.on("data", (c: Buffer) => {
      size += c.length
      if (size > maxBytes) {
        body.destroy()
        reject(new FastTooLarge())
        return
      }
      chunks.push(c)
    })
    body.once("end", () => resolve(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks, size).toString("utf8")))
  })

/** The fast lane over a dispatcher. */
export const make = (dispatcher: Dispatcher): FastSend => async (req: FastRequest): Promise<FastResponse> => {
  const { origin, path } = splitUrl(req.url)
  const res = await dispatcher.request({
    origin,
    path,
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers as Record<string, string>,
    body: req.body,
    signal: req.signal as AbortSignal
  })
  const raw = res.headers
  const headers: Record<string, string> = {}
  for (const k in raw) {
    const v = raw[k]
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v
  }
  // a HEAD answer and a 204/304 declare a length they do not send: only a body that comes is capped
  const bodiless = req.method === "HEAD" || res.statusCode === 204 || res.statusCode === 304
  const declared = bodiless ? NaN : Number(headers["content-length"])
  if (Number.isFinite(declared) && declared > req.maxBytes) {
    res.body.on("error", () => {})
    res.body.destroy()
    throw new FastTooLarge()
  }
  const body = await readCapped(res.body, req.maxBytes).catch((e) => {
    throw e instanceof FastTooLarge ? e : new FastBroken(e)
  })
  return { status: res.statusCode, headers, body }
}
