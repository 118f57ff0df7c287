/**
 * Waiting for a state: call a describe action on a `Schedule` until its answer satisfies a
 * predicate. {@link waitFor} is the generic form; {@link instanceState} (CVM), {@link diskState}
 * (CBS) and {@link vpcResourcesReady} (VPC) cover the common cases.
 *
 * A waiter fails with {@link WaiterTimeoutError} when the schedule ends first, with
 * {@link WaiterFailedError} when the resource reaches a state it cannot leave (an instance in
 * `LAUNCH_FAILED`), and with the action's own errors otherwise (each poll is an ordinary call, so
 * throttling is retried by the client's policy inside a poll). Time runs on Effect's `Clock`:
 * under `TestClock` a waiter waits no real time.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import * as Waiters from "effect-tencentcloud/Waiters"
 * import { runInstances } from "effect-tencentcloud/cvm"
 *
 * const launch = Effect.gen(function* () {
 *   const { InstanceIdSet } = yield* runInstances({ ImageId: "img-xxxxxxxx", Placement: { Zone: "ap-guangzhou-3" } })
 *   return yield* Waiters.instanceState(InstanceIdSet ?? [], "RUNNING", Schedule.spaced("5 seconds"))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Cbs from "./generated/cbs/v20170312.js"
import * as Cvm from "./generated/cvm/v20170312.js"
import * as Vpc from "./generated/vpc/v20170312.js"

/** The schedule ended before the resource reached the state. */
export class WaiterTimeoutError extends /*#__PURE__*/ Data.TaggedError("WaiterTimeoutError")<{
  /** What was being waited for. */
  readonly waitingFor: string
  /** How many times the action was called. */
  readonly attempts: number
  /** What the last answer showed, in a few words. */
  readonly lastSeen: string
  readonly message: string
}> {}

/** The resource reached a state it will not leave (e.g. an instance in `LAUNCH_FAILED`). */
export class WaiterFailedError extends /*#__PURE__*/ Data.TaggedError("WaiterFailedError")<{
  readonly waitingFor: string
  readonly attempts: number
  /** Why waiting longer cannot help. */
  readonly reason: string
  readonly message: string
}> {}

/** Options of {@link waitFor}. */
export interface WaitOptions<A> {
  /** What is being waited for, for error messages (default: "the condition"). */
  readonly description?: string | undefined
  /** A reason when the answer shows a state that waiting longer cannot change; `undefined` otherwise. */
  readonly failWhen?: ((answer: A) => string | undefined) | undefined
  /** A few words describing an answer, for the timeout message. */
  readonly show?: ((answer: A) => string) | undefined
}

/**
 * Poll every 5 seconds, for at most 10 minutes: the default schedule of the waiters here.
 * `Schedule.spaced`, `Schedule.exponential`, `Schedule.recurs` ... work as well.
 */
export const defaultSchedule: Schedule.Schedule<unknown> = /*#__PURE__*/ Schedule.spaced("5 seconds").pipe(
  Schedule.upTo(Duration.minutes(10))
)

class NotYet {
  readonly _tag = "NotYet"
  constructor(readonly answer: unknown) {}
}

/**
 * Call `action(request)` until `predicate` holds for its answer, waiting between calls as
 * `schedule` says; succeed with that answer. The first call is made at once.
 *
 * Fails with {@link WaiterTimeoutError} when the schedule ends first, {@link WaiterFailedError}
 * when `options.failWhen` names a reason, or with the action's error.
 */
export const waitFor = <I, A, E, R, Out, R2 = never>(
  action: (request: I) => Effect.Effect<A, E, R>,
  request: I,
  predicate: (answer: A) => boolean,
  schedule: Schedule.Schedule<Out, unknown, R2> = defaultSchedule as Schedule.Schedule<any, unknown, never>,
  options: WaitOptions<A> = {}
): Effect.Effect<A, E | WaiterTimeoutError | WaiterFailedError, R | R2> => {
  const waitingFor = options.description ?? "the condition"
  const show = options.show ?? (() => "the condition did not hold")
  return Effect.suspend(() => {
    let attempts = 0
    const poll: Effect.Effect<A, E | WaiterFailedError | NotYet, R> = Effect.flatMap(
      Effect.suspend(() => {
        attempts++
        return action(request)
      }),
      (answer): Effect.Effect<A, WaiterFailedError | NotYet> => {
        const reason = options.failWhen?.(answer)
        if (reason !== undefined) {
          return Effect.fail(
            new WaiterFailedError({
              waitingFor,
              attempts,
              reason,
              message: `stopped waiting for ${waitingFor} after ${attempts} call(s): ${reason}`
            })
          )
        }
        return predicate(answer) ? Effect.succeed(answer) : Effect.fail(new NotYet(answer))
      }
    )
    return poll.pipe(
      Effect.retry({ schedule, while: (e) => e instanceof NotYet }),
      Effect.catchIf(
        (e): e is NotYet => e instanceof NotYet,
        (e) =>
          Effect.fail(
            new WaiterTimeoutError({
              waitingFor,
              attempts,
              lastSeen: show(e.answer as A),
              message: `gave up waiting for ${waitingFor} after ${attempts} call(s): the schedule ended; last seen: ${show(e.answer as A)}. Wait longer with a longer schedule.`
            })
          )
      )
    )
  })
}

const list = (ids: ReadonlyArray<string>): string => (ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`)

/**
 * Wait until every instance is in `state` (default `RUNNING`), with `DescribeInstances`. For
 * `TERMINATED` (not a CVM state), wait until none of them is listed any more. An instance in
 * `LAUNCH_FAILED` (when waiting for another state) fails with {@link WaiterFailedError}.
 */
export const instanceState = <Out = unknown, R2 = never>(
  instanceIds: ReadonlyArray<string>,
  state: string = "RUNNING",
  schedule?: Schedule.Schedule<Out, unknown, R2>
) => {
  const gone = state === "TERMINATED"
  return waitFor(
    Cvm.describeInstances,
    { InstanceIds: [...instanceIds], Limit: Math.max(1, Math.min(100, instanceIds.length)) },
    (r) => {
      const set = r.InstanceSet ?? []
      if (gone) return set.length === 0
      return instanceIds.every((id) => set.some((i) => i.InstanceId === id && i.InstanceState === state))
    },
    schedule,
    {
      description: `instance(s) ${list(instanceIds)} ${gone ? "to be terminated" : `to be ${state}`}`,
      failWhen: (r) => {
        if (gone || state === "LAUNCH_FAILED") return undefined
        const failed = (r.InstanceSet ?? []).filter((i) => i.InstanceState === "LAUNCH_FAILED")
        if (failed.length > 0) return `${list(failed.map((i) => i.InstanceId ?? "?"))} LAUNCH_FAILED${failed[0].LatestOperationErrorMsg ? ` (${failed[0].LatestOperationErrorMsg})` : ""}`
        return undefined
      },
      show: (r) => (r.InstanceSet ?? []).map((i) => `${i.InstanceId} ${i.InstanceState}`).join(", ") || "no instances listed"
    }
  )
}

/** Wait until every disk is in `state` (default `ATTACHED`; `UNATTACHED` after a detach), with `DescribeDisks`. */
export const diskState = <Out = unknown, R2 = never>(
  diskIds: ReadonlyArray<string>,
  state: string = "ATTACHED",
  schedule?: Schedule.Schedule<Out, unknown, R2>
) =>
  waitFor(
    Cbs.describeDisks,
    { DiskIds: [...diskIds], Limit: Math.max(1, Math.min(100, diskIds.length)) },
    (r) => diskIds.every((id) => (r.DiskSet ?? []).some((d) => d.DiskId === id && d.DiskState === state)),
    schedule,
    {
      description: `disk(s) ${list(diskIds)} to be ${state}`,
      show: (r) => (r.DiskSet ?? []).map((d) => `${d.DiskId} ${d.DiskState}`).join(", ") || "no disks listed"
    }
  )

/**
 * Wait until VPCs and subnets just created are listed by `DescribeVpcs` / `DescribeSubnets`
 * (VPC resources have no pending state; a new one may take a moment to be listed).
 */
export const vpcResourcesReady = <Out = unknown, R2 = never>(
  resources: { readonly vpcIds?: ReadonlyArray<string>; readonly subnetIds?: ReadonlyArray<string> },
  schedule?: Schedule.Schedule<Out, unknown, R2>
) => {
  const vpcIds = resources.vpcIds ?? []
  const subnetIds = resources.subnetIds ?? []
  const vpcs =
    vpcIds.length === 0
      ? Effect.void
      : waitFor(
          Vpc.describeVpcs,
          { VpcIds: [...vpcIds] },
          (r) => vpcIds.every((id) => (r.VpcSet ?? []).some((v) => v.VpcId === id)),
          schedule,
          { description: `VPC(s) ${list(vpcIds)} to be listed`, show: (r) => `listed: ${(r.VpcSet ?? []).map((v) => v.VpcId).join(", ") || "none"}` }
        )
  const subnets =
    subnetIds.length === 0
      ? Effect.void
      : waitFor(
          Vpc.describeSubnets,
          { SubnetIds: [...subnetIds] },
          (r) => subnetIds.every((id) => (r.SubnetSet ?? []).some((s) => s.SubnetId === id)),
          schedule,
          { description: `subnet(s) ${list(subnetIds)} to be listed`, show: (r) => `listed: ${(r.SubnetSet ?? []).map((s) => s.SubnetId).join(", ") || "none"}` }
        )
  return Effect.asVoid(Effect.zipRight(vpcs, subnets))
}
