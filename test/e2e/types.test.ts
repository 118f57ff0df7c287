/**
 * Type tests of generated actions, checked by `tsc -p tsconfig.json --noEmit` (which includes
 * `test/`): the requirements are exactly the client service, the error type is exactly the
 * declared union, `catchTag` narrows on a listed code and does not compile on an unlisted one,
 * and whether the request can be omitted follows the spec's required members.
 *
 * The `expectTypeOf` calls do nothing at run time; the runtime assertions only make sure the
 * effects are values (nothing is called).
 */
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { describe, expect, expectTypeOf, it } from "vitest"
import * as Client from "../../src/Client.js"
import type { TencentCloud } from "../../src/Client.js"
import type { ApiError, SdkError, UnknownApiError } from "../../src/Errors.js"
import * as Cvm from "../../src/generated/cvm/v20170312.js"
import * as Sts from "../../src/generated/sts/v20180813.js"
import * as Vpc from "../../src/generated/vpc/v20170312.js"
import * as Retry from "../../src/Retry.js"

const describeAll = Cvm.describeInstances({})
type DescribeAll = typeof describeAll

describe("a generated action's type", () => {
  it("requires exactly TencentCloud", () => {
    expectTypeOf<Effect.Effect.Context<DescribeAll>>().toEqualTypeOf<TencentCloud>()
    expectTypeOf<Effect.Effect.Context<ReturnType<typeof Vpc.createVpc>>>().toEqualTypeOf<TencentCloud>()
    expectTypeOf<Effect.Effect.Context<ReturnType<typeof Sts.assumeRole>>>().toEqualTypeOf<TencentCloud>()
    // per-call knobs never show up in the requirements
    const tuned = describeAll.pipe(Client.withRegion("ap-shanghai"), Client.withTimeout("5 seconds"), Retry.withRetryPolicy(Retry.none))
    expectTypeOf<Effect.Effect.Context<typeof tuned>>().toEqualTypeOf<TencentCloud>()
    expectTypeOf<Effect.Effect.Error<typeof tuned>>().toEqualTypeOf<Effect.Effect.Error<DescribeAll>>()
    expect(Effect.isEffect(describeAll)).toBe(true)
  })

  it("fails with exactly DescribeInstancesError | UnknownApiError | SdkError", () => {
    expectTypeOf<Effect.Effect.Error<DescribeAll>>().toEqualTypeOf<Cvm.DescribeInstancesError | UnknownApiError | SdkError>()
    // the declared union is one ApiError per code, tagged by the code
    expectTypeOf<ApiError<"InvalidFilter">>().toMatchTypeOf<Cvm.DescribeInstancesError>()
    expectTypeOf<ApiError<"RequestLimitExceeded">>().toMatchTypeOf<Cvm.DescribeInstancesError>() // a common code
    expectTypeOf<Extract<Cvm.DescribeInstancesError, { readonly _tag: "InvalidInstanceId.NotFound" }>>().toEqualTypeOf<never>()
    // the success type is the response
    expectTypeOf<Effect.Effect.Success<DescribeAll>>().toEqualTypeOf<Cvm.DescribeInstancesResponse>()
  })

  it("catchTag on a listed code narrows the error type", () => {
    const handled = describeAll.pipe(Effect.catchTag("InvalidFilter", (e) => {
      expectTypeOf(e).toEqualTypeOf<ApiError<"InvalidFilter">>()
      expectTypeOf(e.code).toEqualTypeOf<"InvalidFilter">()
      return Effect.succeed(null)
    }))
    type Left = Effect.Effect.Error<typeof handled>
    expectTypeOf<Extract<Left, { readonly _tag: "InvalidFilter" }>>().toEqualTypeOf<never>()
    expectTypeOf<Left>().toEqualTypeOf<Exclude<Cvm.DescribeInstancesError, ApiError<"InvalidFilter">> | UnknownApiError | SdkError>()
    // a common code narrows too, and UnknownApiError / SdkError tags can be caught
    const throttled = describeAll.pipe(
      Effect.catchTag("RequestLimitExceeded", () => Effect.succeed(null)),
      Effect.catchTag("UnknownApiError", (e) => Effect.succeed(e.code)),
      Effect.catchTag("TimeoutError", (e) => Effect.succeed(e.timeoutMillis))
    )
    type Left2 = Effect.Effect.Error<typeof throttled>
    expectTypeOf<Extract<Left2, { readonly _tag: "RequestLimitExceeded" | "UnknownApiError" | "TimeoutError" }>>().toEqualTypeOf<never>()
    expectTypeOf<Extract<Left2, { readonly _tag: "InvalidFilter" }>>().toEqualTypeOf<ApiError<"InvalidFilter">>()
    // catchTags with several codes
    const many = describeAll.pipe(
      Effect.catchTags({ InvalidFilter: () => Effect.succeed(1), "InvalidSgId.Malformed": () => Effect.succeed(2) })
    )
    expectTypeOf<Extract<Effect.Effect.Error<typeof many>, { readonly _tag: "InvalidFilter" | "InvalidSgId.Malformed" }>>().toEqualTypeOf<never>()
    expect(Effect.isEffect(handled) && Effect.isEffect(throttled) && Effect.isEffect(many)).toBe(true)
  })

  it("catchTag on a code the action does not declare does not compile", () => {
    // a code of another action (StartInstances declares it, DescribeInstances does not)
    // @ts-expect-error "InvalidInstanceId.NotFound" is not a code of DescribeInstances
    const other = describeAll.pipe(Effect.catchTag("InvalidInstanceId.NotFound", () => Effect.succeed(null)))
    // a code that does not exist
    // @ts-expect-error "NoSuchCode" is not a code of DescribeInstances
    const none = describeAll.pipe(Effect.catchTag("NoSuchCode", () => Effect.succeed(null)))
    // ...while StartInstances does declare it
    const start = Cvm.startInstances({ InstanceIds: ["ins-1"] }).pipe(Effect.catchTag("InvalidInstanceId.NotFound", () => Effect.succeed(null)))
    expect([other, none, start].every(Effect.isEffect)).toBe(true)
  })

  it("an action without required members can be called with no argument; one with required members cannot", () => {
    const noArg = Cvm.describeInstances()
    const zones = Cvm.describeZones()
    expectTypeOf(noArg).toEqualTypeOf<DescribeAll>()
    expectTypeOf(Cvm.describeInstances).parameter(0).toEqualTypeOf<Cvm.DescribeInstancesRequest | undefined>()
    // @ts-expect-error CreateVpc requires VpcName and CidrBlock
    const missingAll = Vpc.createVpc()
    // @ts-expect-error CreateVpc requires CidrBlock
    const missingOne = Vpc.createVpc({ VpcName: "x" })
    // @ts-expect-error AssumeRole requires RoleArn and RoleSessionName
    const sts = Sts.assumeRole({})
    expectTypeOf(Vpc.createVpc).parameter(0).toEqualTypeOf<Vpc.CreateVpcRequest>()
    // a wrong-typed member does not compile either (it is caught at run time for untyped callers)
    // @ts-expect-error Limit is a number
    const wrong = Cvm.describeInstances({ Limit: "2" })
    // an unknown member does not compile
    // @ts-expect-error `limit` is not a member (member names are case sensitive)
    const unknown = Cvm.describeInstances({ limit: 2 })
    expect([noArg, zones, missingAll, missingOne, sts, wrong, unknown].every(Effect.isEffect)).toBe(true)
  })

  it("pagination streams carry the action's error type, TencentCloud, and the list's element", () => {
    type Items = ReturnType<typeof Cvm.describeInstancesItems>
    type Pages = ReturnType<typeof Cvm.describeInstancesPages>
    expectTypeOf<Stream.Stream.Success<Items>>().toEqualTypeOf<Cvm.Instance>()
    expectTypeOf<Stream.Stream.Success<Pages>>().toEqualTypeOf<Cvm.DescribeInstancesResponse>()
    expectTypeOf<Stream.Stream.Error<Items>>().toEqualTypeOf<Cvm.DescribeInstancesError | UnknownApiError | SdkError>()
    expectTypeOf<Stream.Stream.Context<Items>>().toEqualTypeOf<TencentCloud>()
  })
})
