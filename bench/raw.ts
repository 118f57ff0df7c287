/**
 * The raw baseline: an undici Pool and a minimal TC3-HMAC-SHA256 signer whose derived key is
 * cached per UTC day. It stands for the physical limit of a Node client: no validation, no
 * retries, no error mapping beyond `Response.Error`.
 */
import { makeRawSigner } from "./rawSigner.js"
import { Pool } from "undici"

export { makeRawSigner, type RawSigner } from "./rawSigner.js"

export interface RawClient {
  readonly call: (action: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>
  readonly close: () => Promise<void>
}

export const makeRawClient = (origin: string, secretId: string, secretKey: string, region: string, connections = 128): RawClient => {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 })
  const host = new URL(origin).host
  const signer = makeRawSigner(secretId, secretKey, "cvm")
  return {
    async call(action, params) {
      const body = JSON.stringify(params)
      const headers = signer.sign(host, action, "2017-03-12", region, body, Math.floor(Date.now() / 1000))
      const res = await pool.request({ path: "/", method: "POST", headers, body })
      const text = await res.body.text()
      const resp = JSON.parse(text).Response
      if (resp.Error) throw new Error(`${resp.Error.Code}: ${resp.Error.Message}`)
      return resp
    },
    close: () => pool.close()
  }
}
