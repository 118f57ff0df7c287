/**
 * The stateful core set, wired together: CVM, VPC, CBS (per region) and STS (global), with the
 * version each is modelled on and an inspection API for tests.
 *
 * @internal
 */
import * as Cbs from "./cbs.js"
import * as Cvm from "./cvm.js"
import * as Sts from "./sts.js"
import * as Vpc from "./vpc.js"
import { type Handler, type Timings, World } from "./world.js"

export type { TemporaryCredential, WebIdentityCheck } from "./sts.js"
export { ApiFailure, defaultTimings, type Handler, type HandlerContext, type Timings } from "./world.js"

/** A stateful service: its modelled version, handlers, and whether requests need a region. */
export interface StatefulService {
  readonly version: string
  readonly regional: boolean
  readonly handlers: Readonly<Record<string, Handler>>
}

/** Inspect and reset the emulator's state from a test. */
export interface StateView {
  /** Forget every resource and issued credential (ids restart from the seed). */
  readonly reset: () => void
  /** Regions that have resources of a service. */
  readonly regions: (service: "cvm" | "vpc" | "cbs") => ReadonlyArray<string>
  /** Instances of a region as DescribeInstances shows them (transitions applied). */
  readonly instances: (region: string) => ReadonlyArray<ReturnType<typeof Cvm.instanceJson>>
  /** VPCs of a region as DescribeVpcs shows them. */
  readonly vpcs: (region: string) => ReadonlyArray<ReturnType<typeof Vpc.vpcJson>>
  /** Subnets of a region as DescribeSubnets shows them. */
  readonly subnets: (region: string) => ReadonlyArray<ReturnType<typeof Vpc.subnetJson>>
  /** Disks of a region as DescribeDisks shows them. */
  readonly disks: (region: string) => ReadonlyArray<ReturnType<typeof Cbs.diskJson>>
  /** Temporary credentials issued by STS and not yet expired (secrets included: test use). */
  readonly temporaryCredentials: () => ReadonlyArray<Sts.TemporaryCredential>
}

/** The state of one emulator. */
export interface State {
  readonly world: World
  readonly services: Readonly<Record<string, StatefulService>>
  /** A temporary credential by SecretId (expired ones included; the caller checks). */
  readonly temporary: (secretId: string) => Sts.TemporaryCredential | undefined
  readonly view: StateView
}

/** Build the state. `now` is read by the inspection API to settle transitions. */
export const make = (seed: number, timings: Timings, webIdentity: Sts.WebIdentityCheck, now: () => number): State => {
  const world = new World(seed, timings)
  const cvm = Cvm.makeHandlers(world)
  const instancesInSubnet = (region: string, subnetId: string) =>
    Cvm.instancesOf(world, region, now()).filter((i) => i.subnetId === subnetId).length
  const vpc = Vpc.makeHandlers(world, instancesInSubnet)
  const cbs = Cbs.makeHandlers(world, (region, id, t) => {
    const ins = Cvm.cvmStore(world, region).instances.get(id)
    return ins !== undefined && Cvm.settle(world, ins, t) ? ins : undefined
  })
  const sts = Sts.makeHandlers(world, webIdentity)
  return {
    world,
    services: {
      cvm: { version: "2017-03-12", regional: true, handlers: cvm },
      vpc: { version: "2017-03-12", regional: true, handlers: vpc },
      cbs: { version: "2017-03-12", regional: true, handlers: cbs },
      sts: { version: "2018-08-13", regional: false, handlers: sts }
    },
    temporary: (id) => Sts.stsStore(world).issued.get(id),
    view: {
      reset: () => world.reset(),
      regions: (service) => world.regions(service),
      instances: (region) => {
        const t = now()
        return Cvm.instancesOf(world, region, t).map((i) => Cvm.instanceJson(world, i, t))
      },
      vpcs: (region) => [...Vpc.vpcStore(world, region).vpcs.values()].map(Vpc.vpcJson),
      subnets: (region) => [...Vpc.vpcStore(world, region).subnets.values()].map(Vpc.subnetJson),
      disks: (region) => [...Cbs.diskStore(world, region).disks.values()].map((d) => Cbs.diskJson(Cbs.settleDisk(d, now()))),
      temporaryCredentials: () => [...Sts.stsStore(world).issued.values()].filter((c) => c.expiresAt > now())
    }
  }
}
