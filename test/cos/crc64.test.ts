import { describe, expect, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import * as Crc64 from "../../src/cos/internal/crc64.js"
import * as Wasm from "../../src/cos/internal/crc64Wasm.js"

/** The definition, one bit at a time on a bigint: reflected ECMA-182, init and final XOR all ones. */
const reference = (bytes: Uint8Array): bigint => {
  const poly = 0xc96c5795d7870f42n
  let crc = 0xffffffffffffffffn
  for (const b of bytes) {
    crc ^= BigInt(b)
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n
  }
  return crc ^ 0xffffffffffffffffn
}

const viaJs = (bytes: Uint8Array) => Crc64.digest(Crc64.updateJs(Crc64.init(), bytes))

/** Bytes at an arbitrary offset inside a larger buffer (so alignment varies). */
const shifted = fc.tuple(fc.uint8Array({ maxLength: 2000 }), fc.nat(7)).map(([bytes, offset]) => {
  const backing = new Uint8Array(bytes.length + offset)
  backing.set(bytes, offset)
  return backing.subarray(offset)
})

describe("CRC-64/XZ (as COS computes x-cos-hash-crc64ecma)", () => {
  it("has the catalogued check value in both kernels", () => {
    const check = new TextEncoder().encode("123456789")
    expect(Crc64.crc64(check).toString(16)).toBe("995dc9bbdf1939fa")
    expect(viaJs(check).toString(16)).toBe("995dc9bbdf1939fa")
    expect(reference(check).toString(16)).toBe("995dc9bbdf1939fa")
    // a buffer long enough for the WebAssembly kernel, the check value at every alignment
    const long = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 0xff)
    expect(Crc64.crc64(long)).toBe(reference(long))
  })

  it("uses the WebAssembly kernel on Node", () => {
    expect(Crc64.kernel).toBe("wasm")
  })

  it.prop("both kernels agree with the bitwise definition, at any alignment and length", [shifted], ([bytes]) => {
    const want = reference(bytes)
    expect(viaJs(bytes)).toBe(want)
    expect(Crc64.crc64(bytes)).toBe(want)
  })

  it.prop("updates in pieces equal one update (pieces on either side of the WebAssembly threshold)", [shifted, fc.array(fc.nat(2000), { maxLength: 5 })], ([bytes, cuts]) => {
    const points = [0, ...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]
    const s = Crc64.init()
    for (let i = 1; i < points.length; i++) Crc64.update(s, bytes.subarray(points[i - 1], points[i]))
    expect(Crc64.digest(s)).toBe(reference(bytes))
  })

  it("handles buffers longer than the WebAssembly window (copied in several turns)", () => {
    const size = Wasm.WINDOW * 2 + 12345
    const big = new Uint8Array(size)
    let x = 0x9e3779b9
    for (let i = 0; i < size; i++) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      big[i] = x & 0xff
    }
    const js = viaJs(big.subarray(3))
    expect(Crc64.crc64(big.subarray(3))).toBe(js)
    // the combine of the halves gives the whole
    const half = 200_001
    expect(Crc64.combine(Crc64.crc64(big.subarray(0, half)), Crc64.crc64(big.subarray(half)), size - half)).toBe(Crc64.crc64(big))
  })
})
