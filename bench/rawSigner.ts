/**
 * The raw baseline's signer: a minimal TC3-HMAC-SHA256 signer whose derived key is cached per UTC
 * day (no undici here, so a program can sign without loading it).
 */
import { createHash, createHmac } from "node:crypto"

const two = (n: number) => (n < 10 ? "0" : "") + n

export interface RawSigner {
  /** The signed headers for a JSON POST of `body` at `ts` (seconds). */
  readonly sign: (host: string, action: string, version: string, region: string, body: string, ts: number) => Record<string, string>
}

export const makeRawSigner = (secretId: string, secretKey: string, service: string): RawSigner => {
  let day = -1
  let date = ""
  let key: Buffer = Buffer.alloc(0)
  let scope = ""
  return {
    sign(host, action, version, region, body, ts) {
      const d = Math.floor(ts / 86400)
      if (d !== day) {
        const t = new Date(d * 86400_000)
        date = `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}`
        const kDate = createHmac("sha256", "TC3" + secretKey).update(date).digest()
        const kService = createHmac("sha256", kDate).update(service).digest()
        key = createHmac("sha256", kService).update("tc3_request").digest()
        scope = `${date}/${service}/tc3_request`
        day = d
      }
      const hashed = createHash("sha256").update(body).digest("hex")
      const canonical = `POST\n/\n\ncontent-type:application/json\nhost:${host}\n\ncontent-type;host\n${hashed}`
      const sts = `TC3-HMAC-SHA256\n${ts}\n${scope}\n${createHash("sha256").update(canonical).digest("hex")}`
      const signature = createHmac("sha256", key).update(sts).digest("hex")
      return {
        Host: host,
        "Content-Type": "application/json",
        "X-TC-Action": action,
        "X-TC-Version": version,
        "X-TC-Timestamp": String(ts),
        "X-TC-Region": region,
        Authorization: `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`
      }
    }
  }
}
