/**
 * Test layers that replace the `TencentCloud` client, so application code calling generated
 * actions runs without HTTP.
 *
 * - {@link layer}: answers any action from a handler map keyed `"cvm.DescribeInstances"` (or
 *   nested, `{ cvm: { DescribeInstances } }`). The generated action still validates the request
 *   and decodes the handler's answer with the real response schema.
 * - {@link mockService}: one product, typed from the generated module (request and response types
 *   of each action), whole: other actions answer `InvalidAction`.
 * - {@link mockActions}: the same, action by action, over the `TencentCloud` already in context:
 *   actions not listed go to it.
 * - {@link mockAction}: one action function, typed from it (its request, response and errors),
 *   over the `TencentCloud` already in context.
 *
 * Answers may be partial: a required member the answer leaves out is filled with a placeholder
 * of its declared type (`""`, `0`, `false`, `[]`, an object filled the same way; optional members
 * stay absent), deterministically, so a test states only what it cares about. What the answer
 * does give is checked strictly: a member of the wrong type or an undeclared member fails the
 * call with a `ResponseDecodeError` naming every mismatch (decode mock answers tolerantly, with
 * drift records, under `Drift.layerTolerant` or `Drift.withStrict(effect, false)`).
 *
 * Like the real client, an `ApiError` whose code the action does not declare (nor the common
 * codes) arrives as `UnknownApiError`, and a missing `RequestId` is filled in.
 *
 * @example
 * ```ts
 * import * as Cvm from "effect-tencentcloud/cvm"
 * const Mock = Testing.mockService(Cvm, {
 *   DescribeInstances: (req) => Effect.succeed({ TotalCount: 0, InstanceSet: [] })
 * })
 * program.pipe(Effect.provide(Mock))
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ActionInfo, type CallError, type CallOptions, type ServerSentEvent, TencentCloud, type TencentCloudService } from "./Client.js"
import { ApiError, fromServerCode } from "./Errors.js"
import { MockAnswer } from "./internal/drift.js"
import * as Json from "./Json.js"
import * as MockHttp from "./internal/mockHttp.js"

/**
 * What the mocks read of a generated service-version module: its `_actions` table (each entry's
 * `info` names the service, version and action; `input`/`output` give the schemas).
 */
export interface ServiceModule {
  readonly _actions: {
    readonly [action: string]: {
      readonly info: { readonly service: string; readonly version: string; readonly action: string }
      readonly input: () => Schema.Schema<any, any, never>
      readonly output: () => Schema.Schema<any, any, never>
    }
  }
}

/** What a handler may answer: the `Response` object (`RequestId` optional), or events for a streaming call. */
export type Answer = Readonly<Record<string, unknown>> | ReadonlyArray<ServerSentEvent>

/** A generic handler: the wire-form parameters and the action's info. */
export type Handler = (
  params: Readonly<Record<string, unknown>>,
  info: ActionInfo,
  options?: CallOptions
) => Effect.Effect<Answer, CallError>

/** Handlers keyed `"service.Action"` (service = `serviceShortName`), or nested `{ service: { Action } }`. */
export interface Handlers {
  readonly [key: string]: Handler | { readonly [action: string]: Handler }
}

let counter = 0
const mockRequestId = () => `mock-${(++counter).toString(36).padStart(6, "0")}`

/** The `InvalidAction` error a mock answers for an action it has no handler for. */
export const invalidAction = (info: ActionInfo): ApiError<"InvalidAction"> =>
  new ApiError({
    code: "InvalidAction",
    serverMessage: `no mock handler for ${info.service}.${info.action} (${info.version})`,
    requestId: mockRequestId(),
    service: info.service,
    version: info.version,
    action: info.action
  })

/** As the real client: an undeclared code becomes `UnknownApiError`. */
const classify = (info: ActionInfo) => (e: CallError): CallError =>
  e instanceof ApiError
    ? fromServerCode({ service: e.service, version: e.version, action: e.action, region: e.region, endpoint: e.endpoint, code: e.code, serverMessage: e.serverMessage, requestId: e.requestId }, info.codes)
    : e

/** The answer handed to the generated action: a `RequestId` filled in, marked as a mock's (filled, strict by default). */
const withRequestId = (a: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const o = typeof a.RequestId === "string" ? { ...a } : { ...a, RequestId: mockRequestId() }
  return Object.defineProperty(o, MockAnswer, { value: true, enumerable: false })
}

/** Build a client service from a lookup of handlers (`undefined`: no handler). */
export const fromLookup = (
  lookup: (info: ActionInfo) => Handler | undefined,
  fallback?: TencentCloudService
): TencentCloudService => ({
  call: (info, params, options) => {
    const h = lookup(info)
    if (h === undefined) return fallback !== undefined ? fallback.call(info, params, options) : Effect.fail(invalidAction(info))
    return h(params, info, options).pipe(
      Effect.mapError(classify(info)),
      Effect.flatMap((a) =>
        Array.isArray(a)
          ? Effect.dieMessage(`the mock of ${info.service}.${info.action} answered events to a non-streaming call`)
          : Effect.succeed(withRequestId(a as Readonly<Record<string, unknown>>))
      )
    )
  },
  stream: (info, params, options) => {
    const h = lookup(info)
    if (h === undefined) return fallback !== undefined ? fallback.stream(info, params, options) : Stream.fail(invalidAction(info))
    return Stream.unwrap(
      h(params, info, options).pipe(
        Effect.mapError(classify(info)),
        Effect.map((a): Stream.Stream<ServerSentEvent> =>
          Array.isArray(a)
            ? Stream.fromIterable(a as ReadonlyArray<ServerSentEvent>)
            : Stream.make({ data: Json.stringify(withRequestId(a as Readonly<Record<string, unknown>>)) })
        )
      )
    )
  }
})

const lookupIn = (handlers: Handlers) => (info: ActionInfo): Handler | undefined => {
  const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)
  for (const k of [`${info.service}@${info.version}.${info.action}`, `${info.service}.${info.action}`]) {
    if (own(handlers, k) && typeof handlers[k] === "function") return handlers[k] as Handler
  }
  const nested = own(handlers, info.service) ? handlers[info.service] : undefined
  if (nested !== undefined && typeof nested === "object" && own(nested, info.action)) return nested[info.action]
  return undefined
}

/** A client service answering from handlers (see {@link layer}). */
export const make = (handlers: Handlers): TencentCloudService => fromLookup(lookupIn(handlers))

/**
 * A `TencentCloud` layer answering any action from a handler map; unknown actions fail with
 * `ApiError` `InvalidAction` naming them.
 *
 * @example
 * ```ts
 * const Mock = Testing.layer({
 *   "cvm.DescribeZones": () => Effect.succeed({ TotalCount: 0, ZoneSet: [] })
 * })
 * ```
 */
export const layer = (handlers: Handlers): Layer.Layer<TencentCloud> => Layer.succeed(TencentCloud, make(handlers))

// -------------------------------------------------------------------------------------------------
// typed, per product

type TypeOf<F> = F extends () => Schema.Schema<infer A, any, any> ? A : never

/**
 * The answer of a typed mock: the response with every member optional, at every depth (members
 * left out are filled with placeholders of their declared types).
 */
export type MockResponse<A> = Partially<A>

/** `A` with every member optional, at every depth. */
export type Partially<A> = A extends Uint8Array | string | number | bigint | boolean | null | undefined
  ? A
  : A extends ReadonlyArray<infer I>
    ? ReadonlyArray<Partially<I>>
    : { readonly [K in keyof A]?: Partially<A[K]> }

/** Typed handlers for the actions of one generated module (`import * as Cvm from "effect-tencentcloud/cvm"`). */
export type ServiceHandlers<M extends ServiceModule> = {
  readonly [K in keyof M["_actions"]]?: (
    request: TypeOf<M["_actions"][K]["input"]>,
    info: ActionInfo
  ) => Effect.Effect<MockResponse<TypeOf<M["_actions"][K]["output"]>> | ReadonlyArray<ServerSentEvent>, CallError>
}

const lookupModule = (module: ServiceModule, handlers: object) => {
  const byAction = new Map<string, Handler>()
  let service: string | undefined
  let version: string | undefined
  for (const name of Object.keys(module._actions)) {
    const entry = module._actions[name]
    service ??= entry.info.service
    version ??= entry.info.version
    if (Object.prototype.hasOwnProperty.call(handlers, name)) byAction.set(name, (handlers as Record<string, Handler>)[name])
  }
  return (info: ActionInfo): Handler | undefined =>
    info.service === service && info.version === version ? byAction.get(info.action) : undefined
}

/**
 * A `TencentCloud` layer mocking one product, typed from its generated module. Actions without a
 * handler (and other products) fail with `InvalidAction`.
 */
export const mockService = <M extends ServiceModule>(module: M, handlers: ServiceHandlers<M>): Layer.Layer<TencentCloud> =>
  Layer.succeed(TencentCloud, fromLookup(lookupModule(module, handlers)))

/**
 * Override some actions of one product over the `TencentCloud` in context (real, emulator or
 * another mock); every other call goes to it.
 */
export const mockActions = <M extends ServiceModule>(
  module: M,
  handlers: ServiceHandlers<M>
): Layer.Layer<TencentCloud, never, TencentCloud> =>
  Layer.effect(
    TencentCloud,
    Effect.map(TencentCloud, (underlying) => fromLookup(lookupModule(module, handlers), underlying))
  )

// -------------------------------------------------------------------------------------------------
// typed, per action

/**
 * A generated action function. At run time it carries where it goes (`info`, or `meta` and
 * `action`); a function without that makes the layer die with a message saying so.
 */
export type ActionFunction<Req, A, E> = (request: Req, ...rest: Array<any>) => Effect.Effect<A, E, TencentCloud>

const whereOf = (fn: object): { service: string; version: string; action: string } | undefined => {
  const f = fn as { info?: { service: string; version: string; action: string }; meta?: { service: string; version: string }; action?: string }
  if (f.info !== undefined) return f.info
  if (f.meta !== undefined && typeof f.action === "string") return { service: f.meta.service, version: f.meta.version, action: f.action }
  return undefined
}

/**
 * Override one action over the `TencentCloud` in context, typed from the action function: the
 * handler gets the typed request and answers the typed response (`RequestId` optional) or one of
 * the action's own errors.
 *
 * @example
 * ```ts
 * const Mock = Testing.mockAction(Cvm.describeZones, () => Effect.succeed({ TotalCount: 0, ZoneSet: [] }))
 * program.pipe(Effect.provide(Mock), Effect.provide(Testing.layer({})))
 * ```
 */
export const mockAction = <Req, A, E>(
  fn: ActionFunction<Req, A, E>,
  handler: (request: NonNullable<Req>, info: ActionInfo) => Effect.Effect<MockResponse<A>, E>
): Layer.Layer<TencentCloud, never, TencentCloud> => {
  const w = whereOf(fn)
  const h = handler as unknown as Handler
  return Layer.effect(
    TencentCloud,
    w === undefined
      ? Effect.dieMessage("Testing.mockAction: the function given is not a generated action (it carries no service/version/action)")
      : Effect.map(TencentCloud, (underlying) =>
          fromLookup((info) => (info.service === w.service && info.version === w.version && info.action === w.action ? h : undefined), underlying)
        )
  )
}

// -------------------------------------------------------------------------------------------------
// the HTTP level

export type { MockAnswer, MockHttpClient, RecordedRequest } from "./internal/mockHttp.js"

/**
 * A scripted `HttpClient` for tests at the protocol level: it records every request (method, URL,
 * headers, body) and answers from `handler` — a response, a transport failure, or nothing ever (to
 * test timeouts with `TestClock`). Provide `mock.layer` instead of a real transport.
 *
 * @example
 * ```ts
 * const mock = Testing.mockHttpClient(() => ({ body: JSON.stringify({ Response: { RequestId: "r1" } }) }))
 * const program = Client.call("cvm", "2017-03-12", "DescribeZones").pipe(
 *   Effect.provide(Client.layer({ region: "ap-guangzhou" })),
 *   Effect.provide(mock.layer),
 *   Effect.provide(Credentials.layerStatic({ secretId: "AKID...", secretKey: "..." }))
 * )
 * // afterwards: mock.recorded[0].headers["x-tc-action"] === "DescribeZones"
 * ```
 */
export const mockHttpClient = (
  handler: (request: MockHttp.RecordedRequest, n: number) => MockHttp.MockAnswer
): MockHttp.MockHttpClient => MockHttp.make(handler)
