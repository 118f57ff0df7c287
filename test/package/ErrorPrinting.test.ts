/**
 * Errors as a user reads them (issue 15, item 9): `String(error)` and `console.log(error)` agree
 * on the name, and both print the code, the server's message, service, action, region and
 * RequestId.
 */
import { describe, expect, it } from "vitest"
import { inspect } from "node:util"
import * as Cause from "effect/Cause"
import { ApiError, UnknownApiError } from "../../src/Errors.js"

const site = { service: "cvm", version: "2017-03-12", action: "DescribeInstances", region: "ap-guangzhou" } as const

const errors = [
  ["ApiError", new ApiError({ ...site, code: "ResourceNotFound", serverMessage: "instance ins-1 not found", requestId: "req-abc-1" })],
  ["UnknownApiError", UnknownApiError.make({ ...site, code: "Brand.NewCode", serverMessage: "instance ins-1 not found", requestId: "req-abc-1" })]
] as const

describe("an API error printed", () => {
  for (const [name, error] of errors) {
    it(`${name}: String(error) and console.log(error) agree and name everything`, () => {
      const str = String(error)
      const logged = inspect(error)
      expect(str.startsWith(`${name}: `)).toBe(true)
      // console.log prints the same first line (then the stack and the fields)
      expect(logged.split("\n")[0]).toBe(str.split("\n")[0])
      for (const part of [error.code, "instance ins-1 not found", "cvm", "DescribeInstances", "ap-guangzhou", "RequestId req-abc-1"]) {
        expect(str).toContain(part)
      }
      expect(error.name).toBe(name)
      // the name is not an enumerable field (it does not show up among the error's fields or in JSON)
      expect(Object.keys(error)).not.toContain("name")
      expect(Cause.pretty(Cause.fail(error))).toContain(`${name}: ${error.code}`)
    })
  }
})
