/**
 * Answering an authenticated API 3.0 request: look the action up, decode and validate the
 * parameters against the spec, then answer from the stateful core set (CVM, VPC, CBS, STS) or
 * with generated spec-shaped data, in the envelope. A successful answer is checked against the
 * action's response schema first (strict mode, see `answerCheck.ts`) unless that is switched off.
 *
 * @internal
 */
import * as Json from "../../Json.js"
import type { ActionDef, Lookup } from "../catalog.js"
import { complete, hash32, response as generateResponse, Rng } from "../generate.js"
import { own } from "../own.js"
import { ANY } from "../shape.js"
import { ApiFailure } from "../state/index.js"
import { type FlatValue, type Invalid, unflatten, validate } from "../validate.js"
import { checkAnswer } from "./answerCheck.js"
import { type Answer, apiError, type Exchange, type ServerConfig } from "./exchange.js"

const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/

export const makeDispatch = (cfg: ServerConfig) => {
  const strict = cfg.strictAnswers !== false
  const report = cfg.onAnswerMismatch ?? ((message: string) => console.error(`[emulator] ${message}`))

  const success = (x: Exchange, def: ActionDef | undefined, body: Record<string, unknown>): Answer => {
    body.RequestId = x.requestId
    if (strict && def !== undefined) {
      const wrong = checkAnswer(def, body)
      if (wrong !== undefined) {
        report(`${wrong} (RequestId ${x.requestId})`)
        return apiError("InternalError", wrong, x.requestId)
      }
    }
    return { status: 200, contentType: "application/json", body: `{"Response":${Json.stringify(body)}}` }
  }

  const invalid = (x: Exchange, e: Invalid): Answer => apiError(e.code, e.message, x.requestId)

  /** Decode parameters: JSON body, query, form, or multipart, rebuilt with the input shape. */
  const decodeParams = (
    x: Exchange,
    def: ActionDef | undefined,
    flat: ReadonlyArray<readonly [string, FlatValue]> | undefined
  ): { readonly params: Record<string, unknown> } | { readonly answer: Answer } => {
    const shape = def === undefined ? ANY : def.input()
    let params: unknown
    if (flat !== undefined) {
      const r = unflatten(shape, flat)
      if ("invalid" in r) return { answer: invalid(x, r.invalid) }
      params = r.value
    } else {
      // no parameters (`{}` or nothing) is common: no parse for it
      const b = x.body
      if (b.length === 0 || (b.length === 2 && b[0] === 0x7b && b[1] === 0x7d)) params = {}
      else {
        try {
          params = Json.parse(b.toString("utf8"))
        } catch (e) {
          return { answer: apiError("InvalidParameter", `The request body is not valid JSON: ${(e as Error).message}`, x.requestId) }
        }
      }
      if (params === null) params = {}
      if (typeof params !== "object" || Array.isArray(params)) {
        return { answer: apiError("InvalidParameter", "The request body must be a JSON object of parameters.", x.requestId) }
      }
    }
    x.params = params
    if (def !== undefined) {
      const bad = validate(shape, params)
      if (bad !== undefined) return { answer: invalid(x, bad) }
    }
    return { params: params as Record<string, unknown> }
  }

  /** The answer to an authenticated request whose action was looked up. */
  return (x: Exchange, lookup: Lookup, flat: ReadonlyArray<readonly [string, FlatValue]> | undefined): Answer => {
    const service = x.service!
    const version = x.version!
    const action = x.action!
    // names from the request: own members only (`constructor` is not an action, nor a service)
    const stateful = own(cfg.state.services, service)
    const handler = stateful !== undefined && stateful.version === version ? own(stateful.handlers, action) : undefined
    let def: ActionDef | undefined
    switch (lookup._tag) {
      case "Found":
        def = lookup.def
        break
      case "NoSuchService":
        if (stateful === undefined) {
          return apiError("NoSuchProduct", `The service \`${service}\` is not known to this emulator (no generated module or spec for it).`, x.requestId)
        }
        if (stateful.version !== version) {
          return apiError("NoSuchVersion", `The API version \`${version}\` of \`${service}\` does not exist; available: ${stateful.version}.`, x.requestId)
        }
        if (handler === undefined) return apiError("InvalidAction", `The action \`${action}\` of \`${service}\` ${version} is not available in this emulator.`, x.requestId)
        break
      case "NoSuchVersion":
        return apiError("NoSuchVersion", `The API version \`${version}\` of \`${service}\` does not exist; available: ${lookup.versions.join(", ")}.`, x.requestId)
      case "NoSuchAction":
        if (handler === undefined) return apiError("InvalidAction", `The action \`${action}\` does not exist in \`${service}\` ${version}.`, x.requestId)
    }
    if (def?.status === "offline") return apiError("ActionOffline", `The action \`${action}\` of \`${service}\` is offline.`, x.requestId)
    if (stateful?.regional && handler !== undefined) {
      if (x.region === undefined || x.region === "") return apiError("MissingParameter", "The request is missing a required parameter `Region` (X-TC-Region).", x.requestId)
      if (!REGION.test(x.region)) return apiError("UnsupportedRegion", `The region \`${x.region}\` is not valid (e.g. ap-guangzhou).`, x.requestId)
    }
    const decoded = decodeParams(x, def, flat)
    if ("answer" in decoded) return decoded.answer
    const p = decoded.params
    if (handler !== undefined) {
      if (p.DryRun === true) return apiError("DryRunOperation", "The request would have succeeded (DryRun).", x.requestId)
      const r = handler({ service, action, region: x.region ?? "", params: p, requestId: x.requestId, now: cfg.now(), secretId: x.secretId })
      if (r instanceof ApiFailure) return apiError(r.code, r.message, x.requestId)
      if (def !== undefined) complete(def.output(), r, new Rng(hash32(x.requestId, cfg.seed)))
      return success(x, def, r)
    }
    return success(x, def, generateResponse(def!.output(), `${service}|${version}|${action}`, Json.stringify(p), p, cfg.seed))
  }
}
