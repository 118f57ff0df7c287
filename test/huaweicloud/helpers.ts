/**
 * Shared test helpers for Huawei Cloud: name resolution to loopback, so that clients can use the
 * real host names (`vpc.cn-north-4.myhuaweicloud.com:PORT`) and still reach the local emulator.
 */
import type { LookupAddress } from "node:dns"

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | Array<LookupAddress>, family?: number) => void

/** A `dns.lookup` replacement that resolves every name to 127.0.0.1 (for `http.Agent` / undici `connect`). */
export const loopbackLookup = (_host: string, options: unknown, callback?: LookupCallback): void => {
  const cb = (typeof options === "function" ? options : callback) as LookupCallback
  const all = typeof options === "object" && options !== null && (options as { all?: boolean }).all === true
  if (all) cb(null, [{ address: "127.0.0.1", family: 4 }])
  else cb(null, "127.0.0.1", 4)
}
