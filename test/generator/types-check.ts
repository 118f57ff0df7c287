/**
 * Type tests over the generated fixture module (checked by generator.test.ts with tsc, after the
 * fixture has been generated into test/.generated; excluded from the repository's tsconfig).
 */
import * as Effect from "effect/Effect"
import type { TencentCloud } from "../../src/Client.js"
import type { ApiError, SdkError, UnknownApiError } from "../../src/Errors.js"
import * as F from "../.generated/out/hunyuan/v20200101.js"

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const assert = <T extends true>(_: T) => {}

const call = F.describeThings({ Limit: 10 })
// requirements are exactly the client service
assert<Equals<Effect.Effect.Context<typeof call>, TencentCloud>>(true)
// the error type is exactly the declared union
assert<Equals<Effect.Effect.Error<typeof call>, F.DescribeThingsError | UnknownApiError | SdkError>>(true)
// the declared code is in it, an undeclared one is not
assert<Equals<Extract<F.DescribeThingsError, { _tag: "ResourceNotFound.Thing" }>, ApiError<"ResourceNotFound.Thing">>>(true)
assert<Equals<Extract<F.DescribeThingsError, { _tag: "FailedOperation.Busy" }>, never>>(true)

// catchTag on a listed code narrows the error type
const handled = call.pipe(Effect.catchTag("ResourceNotFound.Thing", () => Effect.succeed(null)))
assert<Equals<Extract<Effect.Effect.Error<typeof handled>, { _tag: "ResourceNotFound.Thing" }>, never>>(true)
// on an unlisted code it does not compile
// @ts-expect-error FailedOperation.Busy is not a code of DescribeThings
call.pipe(Effect.catchTag("FailedOperation.Busy", () => Effect.succeed(null)))

// no argument for an action without required members; required members are required
F.ping()
// @ts-expect-error Delete requires Id
F.delete_({})
// response types: readonly, optional (answers drift: only RequestId is guaranteed), nullable where allowed, int64 as number | bigint
type R = Effect.Effect.Success<typeof call>
assert<Equals<R["TotalCount"], number | bigint | undefined>>(true)
assert<Equals<R["RequestId"], string>>(true)
assert<Equals<R["Tree"], F.Node | null | undefined>>(true)
