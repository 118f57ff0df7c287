/**
 * CRC-64 as COS computes `x-cos-hash-crc64ecma`: the ECMA-182 polynomial, reflected, initial value
 * and final XOR all ones (the parameters catalogued as CRC-64/XZ; check value of `123456789` is
 * `0x995DC9BBDF1939FA`). COS prints it as an unsigned decimal.
 *
 * Computed on two 32-bit halves with slicing-by-8 tables (no BigInt in the loop), and a `combine`
 * that joins the CRCs of consecutive pieces (zlib's GF(2) matrix method), so parts uploaded or
 * downloaded concurrently give the whole object's CRC without reading it again.
 *
 * @internal
 */

// reflected ECMA-182 polynomial 0xC96C5795D7870F42
const POLY_HI = 0xc96c5795
const POLY_LO = 0xd7870f42

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
  for (let t = 1; t < 8; t++) {
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

/** Feed bytes. */
export const update = (s: Crc64State, buf: Uint8Array): Crc64State => {
  let hi = s.hi
  let lo = s.lo
  let i = 0
  const n = buf.length
  const end8 = n - (n % 8)
  while (i < end8) {
    const a = (lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))) >>> 0
    const b = (hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24))) >>> 0
    lo = (L7[a & 0xff] ^ L6[(a >>> 8) & 0xff] ^ L5[(a >>> 16) & 0xff] ^ L4[a >>> 24] ^
      L3[b & 0xff] ^ L2[(b >>> 8) & 0xff] ^ L1[(b >>> 16) & 0xff] ^ L0[b >>> 24]) >>> 0
    hi = (H7[a & 0xff] ^ H6[(a >>> 8) & 0xff] ^ H5[(a >>> 16) & 0xff] ^ H4[a >>> 24] ^
      H3[b & 0xff] ^ H2[(b >>> 8) & 0xff] ^ H1[(b >>> 16) & 0xff] ^ H0[b >>> 24]) >>> 0
    i += 8
  }
  while (i < n) {
    const idx = (lo ^ buf[i]) & 0xff
    lo = (((lo >>> 8) | ((hi & 0xff) << 24)) ^ L0[idx]) >>> 0
    hi = ((hi >>> 8) ^ H0[idx]) >>> 0
    i++
  }
  s.hi = hi
  s.lo = lo
  return s
}

/** The final CRC of a state, as a bigint. */
export const digest = (s: Crc64State): bigint =>
  (BigInt((s.hi ^ 0xffffffff) >>> 0) << 32n) | BigInt((s.lo ^ 0xffffffff) >>> 0)

/** The CRC of some bytes. */
export const crc64 = (buf: Uint8Array): bigint => digest(update(init(), buf))

/** The CRC of some bytes as COS prints it (unsigned decimal). */
export const crc64String = (buf: Uint8Array): string => crc64(buf).toString()

// --- combine (zlib crc32_combine, generalised to 64 bits over bigints; runs once per part) ------

const MASK = (1n << 64n) - 1n
const POLY = 0xc96c5795d7870f42n

const gf2Times = (mat: ReadonlyArray<bigint>, vec: bigint): bigint => {
  let sum = 0n
  let i = 0
  while (vec !== 0n) {
    if (vec & 1n) sum ^= mat[i]
    vec >>= 1n
    i++
  }
  return sum
}

const gf2Square = (mat: ReadonlyArray<bigint>): Array<bigint> => {
  const out = new Array<bigint>(64)
  for (let n = 0; n < 64; n++) out[n] = gf2Times(mat, mat[n])
  return out
}

/**
 * The CRC of `A ++ B` from `crc(A)`, `crc(B)` and `B`'s length. `crcA` may be `undefined` for an
 * empty `A`.
 */
export const combine = (crcA: bigint, crcB: bigint, lengthB: number): bigint => {
  if (lengthB <= 0) return crcA
  let odd = new Array<bigint>(64)
  odd[0] = POLY
  let row = 1n
  for (let n = 1; n < 64; n++) {
    odd[n] = row
    row <<= 1n
  }
  let even = gf2Square(odd) // 2 zero bits
  odd = gf2Square(even) // 4 zero bits
  let crc1 = crcA & MASK
  let len = BigInt(lengthB)
  do {
    even = gf2Square(odd)
    if (len & 1n) crc1 = gf2Times(even, crc1)
    len >>= 1n
    if (len === 0n) break
    odd = gf2Square(even)
    if (len & 1n) crc1 = gf2Times(odd, crc1)
    len >>= 1n
  } while (len !== 0n)
  return (crc1 ^ crcB) & MASK
}
