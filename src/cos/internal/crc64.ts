/**
 * CRC-64 as COS computes `x-cos-hash-crc64ecma`: the ECMA-182 polynomial, reflected, initial value
 * and final XOR all ones (the parameters catalogued as CRC-64/XZ; check value of `123456789` is
 * `0x995DC9BBDF1939FA`). COS prints it as an unsigned decimal.
 *
 * Computed by a WebAssembly kernel (slicing-by-16 on 64-bit integers, `crc64Wasm.ts`) where the
 * runtime compiles WebAssembly, else in JavaScript on two 32-bit halves with slicing-by-8 tables (no
 * BigInt in the loop); and a `combine` that joins the CRCs of consecutive pieces (zlib's GF(2)
 * matrix method), so parts uploaded or downloaded concurrently give the whole object's CRC without
 * reading it again.
 *
 * @internal
 */
import * as Wasm from "./crc64Wasm.js"

// reflected ECMA-182 polynomial 0xC96C5795D7870F42
const POLY_HI = 0xc96c5795
const POLY_LO = 0xd7870f42

// tables k = 0..15: table k maps a byte to its CRC followed by k zero bytes, as 32-bit halves
const tablesHi: Array<Uint32Array> = []
const tablesLo: Array<Uint32Array> = []
{
  const t0h = new Uint32Array(256)
  const t0l = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let hi = 0
    let lo = n
    for (let k = 0; k < 8; k++) {
      const bit = lo & 1
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0
      hi = hi >>> 1
      if (bit) {
        hi = (hi ^ POLY_HI) >>> 0
        lo = (lo ^ POLY_LO) >>> 0
      }
    }
    t0h[n] = hi
    t0l[n] = lo
  }
  tablesHi.push(t0h)
  tablesLo.push(t0l)
  for (let t = 1; t < 16; t++) {
    const ph = tablesHi[t - 1]
    const pl = tablesLo[t - 1]
    const h = new Uint32Array(256)
    const l = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      // one more zero byte through table 0
      const idx = pl[n] & 0xff
      l[n] = (((pl[n] >>> 8) | ((ph[n] & 0xff) << 24)) ^ t0l[idx]) >>> 0
      h[n] = ((ph[n] >>> 8) ^ t0h[idx]) >>> 0
    }
    tablesHi.push(h)
    tablesLo.push(l)
  }
}
const [H0, H1, H2, H3, H4, H5, H6, H7] = tablesHi
const [L0, L1, L2, L3, L4, L5, L6, L7] = tablesLo

/** A running CRC (the internal, not yet final-XORed state kept as two halves). */
export interface Crc64State {
  hi: number
  lo: number
}

/** A fresh state. */
export const init = (): Crc64State => ({ hi: 0xffffffff, lo: 0xffffffff })

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** One byte at a time (the ends of a buffer). */
const bytewise = (s: Crc64State, buf: Uint8Array, from: number, to: number): void => {
  let hi = s.hi
  let lo = s.lo
  for (let i = from; i < to; i++) {
    const idx = (lo ^ buf[i]) & 0xff
    lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ L0[idx]
    hi = (hi >>> 8) ^ H0[idx]
  }
  s.hi = hi >>> 0
  s.lo = lo >>> 0
}

/**
 * The JavaScript kernel: slicing-by-8, the aligned middle of the buffer read as 32-bit words
 * (little-endian hosts; elsewhere byte by byte).
 */
export const updateJs = (s: Crc64State, buf: Uint8Array): Crc64State => {
  const n = buf.length
  const head = LITTLE_ENDIAN ? Math.min(n, (4 - (buf.byteOffset & 3)) & 3) : n
  bytewise(s, buf, 0, head)
  const pairs = (n - head) >>> 3
  if (pairs > 0) {
    const w = new Int32Array(buf.buffer, buf.byteOffset + head, pairs * 2)
    let hi = s.hi | 0
    let lo = s.lo | 0
    for (let k = 0; k < w.length; k += 2) {
      const a = lo ^ w[k]
      const b = hi ^ w[k + 1]
      lo = L7[a & 0xff] ^ L6[(a >>> 8) & 0xff] ^ L5[(a >>> 16) & 0xff] ^ L4[a >>> 24] ^
        L3[b & 0xff] ^ L2[(b >>> 8) & 0xff] ^ L1[(b >>> 16) & 0xff] ^ L0[b >>> 24]
      hi = H7[a & 0xff] ^ H6[(a >>> 8) & 0xff] ^ H5[(a >>> 16) & 0xff] ^ H4[a >>> 24] ^
        H3[b & 0xff] ^ H2[(b >>> 8) & 0xff] ^ H1[(b >>> 16) & 0xff] ^ H0[b >>> 24]
    }
    s.hi = hi >>> 0
    s.lo = lo >>> 0
  }
  bytewise(s, buf, head + pairs * 8, n)
  return s
}

const wasm = Wasm.make(tablesHi, tablesLo)
// below this, copying into the WebAssembly window costs more than it saves
const WASM_FROM = 512

/** Feed bytes. */
export const update = (s: Crc64State, buf: Uint8Array): Crc64State => {
  if (wasm === undefined || buf.length < WASM_FROM) return updateJs(s, buf)
  const r = wasm(s.hi, s.lo, buf)
  s.hi = r.hi
  s.lo = r.lo
  return s
}

/** Whether the WebAssembly kernel is in use (for tests and benchmarks). */
export const kernel: "wasm" | "js" = wasm === undefined ? "js" : "wasm"

/** The final CRC of a state, as a bigint. */
export const digest = (s: Crc64State): bigint =>
  (BigInt((s.hi ^ 0xffffffff) >>> 0) << 32n) | BigInt((s.lo ^ 0xffffffff) >>> 0)

/** The CRC of some bytes. */
export const crc64 = (buf: Uint8Array): bigint => digest(update(init(), buf))

/** The CRC of some bytes as COS prints it (unsigned decimal). */
export const crc64String = (buf: Uint8Array): string => crc64(buf).toString()

// --- combine (zlib's crc32_combine by powers of x, generalised to 64 bits; once per part) -------

const MASK = (1n << 64n) - 1n
const POLY = 0xc96c5795d7870f42n
const TOP = 1n << 63n

/** `a(x) · b(x) mod P(x)`, both reflected (x^0 is the top bit). */
const multiplyModP = (a: bigint, b: bigint): bigint => {
  let product = 0n
  for (let m = TOP; a !== 0n; m >>= 1n) {
    if (a & m) {
      product ^= b
      a ^= m
    }
    b = b & 1n ? (b >> 1n) ^ POLY : b >> 1n
  }
  return product
}

/** `x^(2^k) mod P(x)` for k = 0..63 (built once). */
const powers: Array<bigint> = [TOP >> 1n]
for (let k = 1; k < 64; k++) powers.push(multiplyModP(powers[k - 1], powers[k - 1]))

/** `x^(8n) mod P(x)`: what appending n zero bytes multiplies a CRC by (n < 2^53, so k stays below 64). */
const shiftOf = (bytes: number): bigint => {
  let p = TOP
  let n = BigInt(bytes)
  for (let k = 3; n !== 0n; k++, n >>= 1n) if (n & 1n) p = multiplyModP(powers[k], p)
  return p
}

/** The CRC of `A ++ B` from `crc(A)`, `crc(B)` and `B`'s length. */
export const combine = (crcA: bigint, crcB: bigint, lengthB: number): bigint =>
  lengthB <= 0 ? crcA : (multiplyModP(shiftOf(lengthB), crcA & MASK) ^ crcB) & MASK
