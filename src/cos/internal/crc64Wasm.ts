/**
 * The CRC-64 kernel as a WebAssembly function, assembled here from its instructions (no binary
 * blob): slicing-by-16 on native 64-bit integers, about 1.5–2× the JavaScript kernel, which has to
 * work on two 32-bit halves and look every byte up twice.
 *
 * The module owns one memory: the running CRC at 0 (8 bytes), the 16 tables of 256 64-bit entries at
 * `TABLES` (32 KB), and a window at `DATA` into which the caller copies up to `WINDOW` bytes at a time
 * before calling `update(length)`. In text form:
 *
 * ```wat
 * (func (export "u") (param $n i32) (local $crc i64) (local $p i32) (local $end i32) (local $a i32) (local $b i32)
 *   crc = i64.load(0); p = DATA; end = DATA + (n & -16)
 *   loop while p < end:                       ;; 16 bytes per turn
 *     crc ^= i64.load(p); a = low(crc); b = high(crc)
 *     x = T15[a & 255] ^ T14[a >> 8 & 255] ^ ... ^ T8[b >> 24]
 *     crc = i64.load(p + 8); a = low(crc); b = high(crc)
 *     crc = x ^ T7[a & 255] ^ ... ^ T0[b >> 24]; p += 16
 *   loop while p < DATA + n:                  ;; the last 0..15 bytes, one at a time
 *     crc = T0[(crc ^ i32.load8_u(p)) & 255] ^ (crc >> 8); p += 1
 *   i64.store(0, crc))
 * ```
 *
 * @internal
 */

/** Where the tables start (table k at `TABLES + k * 2048`). */
export const TABLES = 1024
/** Where the data window starts. */
export const DATA = 65536
/** The data window's size. */
export const WINDOW = 4 * 65536

const uleb = (n: number): Array<number> => {
  const out: Array<number> = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n !== 0) b |= 0x80
    out.push(b)
  } while (n !== 0)
  return out
}

const sleb = (n: number): Array<number> => {
  const out: Array<number> = []
  for (;;) {
    const b = n & 0x7f
    n >>= 7
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b]
    out.push(b | 0x80)
  }
}

const vec = (items: ReadonlyArray<ReadonlyArray<number>>): Array<number> => [...uleb(items.length), ...items.flat()]
const section = (id: number, bytes: ReadonlyArray<number>): Array<number> => [id, ...uleb(bytes.length), ...bytes]
const name = (s: string): Array<number> => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]

// instructions
const get = (i: number) => [0x20, i]
const set = (i: number) => [0x21, i]
const tee = (i: number) => [0x22, i]
const i32 = (n: number) => [0x41, ...sleb(n)]
const i64 = (n: number) => [0x42, ...sleb(n)]
const load64 = (offset: number) => [0x29, 3, ...uleb(offset)]
const AND = 0x71
const SHL = 0x74
const SHR_U = 0x76
const ADD = 0x6a
const GE_U = 0x4f
const XOR32 = 0x73
const WRAP = 0xa7
const XOR64 = 0x85
const SHR_U64 = 0x88
const LOOP_WHILE_BELOW = (end: number, body: ReadonlyArray<number>) => [
  0x02, 0x40, 0x03, 0x40, ...get(P), ...get(end), GE_U, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b
]

// locals: the parameter, then the CRC (i64) and four i32s
const N = 0
const CRC = 1
const P = 2
const END = 3
const A = 4
const B = 5

/** `T_k[(word >> shift) & 255]` (the index scaled by 8 for 64-bit entries) onto the stack. */
const lookup = (k: number, word: number, shift: number) => [
  ...get(word),
  ...(shift === 0 ? [...i32(3), SHL] : [...i32(shift - 3), SHR_U]),
  ...i32(0x7f8),
  AND,
  ...load64(TABLES + k * 2048)
]

/** Split the CRC into its halves `a` (low) and `b` (high). */
const halves = [...tee(CRC), WRAP, ...set(A), ...get(CRC), ...i64(32), SHR_U64, WRAP, ...set(B)]

/** The eight lookups of one 8-byte word through tables `first`..`first - 7`, XORed together. */
const eight = (first: number) => [
  ...lookup(first, A, 0), ...lookup(first - 1, A, 8), XOR64, ...lookup(first - 2, A, 16), XOR64, ...lookup(first - 3, A, 24), XOR64,
  ...lookup(first - 4, B, 0), XOR64, ...lookup(first - 5, B, 8), XOR64, ...lookup(first - 6, B, 16), XOR64, ...lookup(first - 7, B, 24), XOR64
]

const body = [
  ...vec([[1, 0x7e], [4, 0x7f]]),
  ...i32(0), ...load64(0), ...set(CRC),
  ...i32(DATA), ...set(P),
  ...get(N), ...i32(-16), AND, ...i32(DATA), ADD, ...set(END),
  ...LOOP_WHILE_BELOW(END, [
    ...get(CRC), ...get(P), ...load64(0), XOR64, ...halves, ...eight(15),
    ...get(P), ...load64(8), ...halves, ...eight(7), XOR64, ...set(CRC),
    ...get(P), ...i32(16), ADD, ...set(P)
  ]),
  ...get(N), ...i32(DATA), ADD, ...set(END),
  ...LOOP_WHILE_BELOW(END, [
    ...get(CRC), WRAP, ...get(P), 0x2d, 0, 0, XOR32, ...i32(0xff), AND, ...i32(3), SHL, ...load64(TABLES),
    ...get(CRC), ...i64(8), SHR_U64, XOR64, ...set(CRC),
    ...get(P), ...i32(1), ADD, ...set(P)
  ]),
  ...i32(0), ...get(CRC), 0x37, 3, 0,
  0x0b
]

const PAGES = (DATA + WINDOW) / 65536

/** The module's bytes: one memory (exported as `m`) and the function `u(length)`. */
export const moduleBytes = (): Uint8Array<ArrayBuffer> =>
  new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec([[0x60, 1, 0x7f, 0]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0, ...uleb(PAGES)]])),
    ...section(7, vec([[...name("m"), 2, 0], [...name("u"), 0, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]]))
  ])

/** A CRC kernel over `(hi, lo)` halves of the running CRC. */
export type Kernel = (hi: number, lo: number, buf: Uint8Array) => { hi: number; lo: number }

/**
 * The WebAssembly kernel, with the 16 tables given as 32-bit halves, or `undefined` where
 * WebAssembly cannot be compiled (a runtime without it, or one that forbids compiling at run time).
 */
export const make = (tablesHi: ReadonlyArray<Uint32Array>, tablesLo: ReadonlyArray<Uint32Array>): Kernel | undefined => {
  let instance: WebAssembly.Instance
  try {
    instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()))
  } catch {
    return undefined
  }
  const memory = instance.exports.m as WebAssembly.Memory
  const update = instance.exports.u as (n: number) => void
  const view = new DataView(memory.buffer)
  const bytes = new Uint8Array(memory.buffer)
  for (let k = 0; k < 16; k++) {
    for (let n = 0; n < 256; n++) {
      view.setUint32(TABLES + k * 2048 + n * 8, tablesLo[k][n], true)
      view.setUint32(TABLES + k * 2048 + n * 8 + 4, tablesHi[k][n], true)
    }
  }
  const out = { hi: 0, lo: 0 }
  return (hi, lo, buf) => {
    view.setUint32(0, lo, true)
    view.setUint32(4, hi, true)
    for (let off = 0; off < buf.length; off += WINDOW) {
      const piece = buf.subarray(off, off + WINDOW)
      bytes.set(piece, DATA)
      update(piece.length)
    }
    out.hi = view.getUint32(4, true)
    out.lo = view.getUint32(0, true)
    return out
  }
}
