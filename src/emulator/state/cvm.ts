/**
 * CVM state: RunInstances, DescribeInstances (InstanceIds, Filters, Offset/Limit), Start/Stop/
 * Reboot/TerminateInstances, with the instance lifecycle driven by the clock:
 * `PENDING` → `RUNNING`, `STOPPING` → `STOPPED`, `STARTING` → `RUNNING`, `REBOOTING` → `RUNNING`,
 * `TERMINATING` → gone. A request on an instance in the wrong state fails with the cloud's
 * `UnsupportedOperation.InstanceState<State>` code.
 *
 * @internal
 */
import { type DiskRec, diskStore, newDisk, settleDisk } from "./cbs.js"
import { allocateIp, defaultSubnet, releaseIp, type SubnetRec, vpcStore } from "./vpc.js"
import { ApiFailure, applyFilters, type Handler, intParam, iso, page, strings, type TagRec, tagsParam, type World } from "./world.js"

export type InstanceState = "PENDING" | "LAUNCH_FAILED" | "RUNNING" | "STOPPED" | "STARTING" | "STOPPING" | "REBOOTING" | "SHUTDOWN" | "TERMINATING"

export interface InstanceRec {
  readonly id: string
  readonly uuid: string
  name: string
  readonly region: string
  readonly zone: string
  readonly projectId: number
  readonly type: string
  readonly cpu: number
  readonly memory: number
  readonly imageId: string
  readonly chargeType: string
  readonly vpcId: string
  readonly subnetId: string
  readonly privateIp: string
  readonly publicIp: string | null
  readonly internetChargeType: string
  readonly bandwidthOut: number
  readonly securityGroupIds: ReadonlyArray<string>
  readonly keyIds: ReadonlyArray<string> | null
  readonly tags: ReadonlyArray<TagRec>
  readonly createdAt: number
  readonly systemDiskId: string
  readonly disableApiTermination: boolean
  readonly camRoleName: string | null
  state: InstanceState
  until?: { readonly at: number; readonly to: InstanceState | "GONE" } | undefined
  latest: { readonly operation: string; state: "OPERATING" | "SUCCESS"; readonly requestId: string } | null
}

export interface CvmStore {
  readonly instances: Map<string, InstanceRec>
  readonly tokens: Map<string, ReadonlyArray<string>>
}

export const cvmStore = (world: World, region: string): CvmStore =>
  world.store("cvm", region, () => ({ instances: new Map(), tokens: new Map() }))

const ID = /^ins-[a-z0-9]{8}$/

const STATE_CODE: Readonly<Record<InstanceState, string>> = {
  PENDING: "Pending",
  LAUNCH_FAILED: "LaunchFailed",
  RUNNING: "Running",
  STOPPED: "Stopped",
  STARTING: "Starting",
  STOPPING: "Stopping",
  REBOOTING: "Rebooting",
  SHUTDOWN: "Shutdown",
  TERMINATING: "Terminating"
}

/** Apply a due transition; `false` when the instance is gone. */
export const settle = (world: World, ins: InstanceRec, now: number): boolean => {
  if (ins.until === undefined || now < ins.until.at) return true
  const to = ins.until.to
  ins.until = undefined
  if (ins.latest !== null) ins.latest.state = "SUCCESS"
  if (to === "GONE") {
    removeInstance(world, ins)
    return false
  }
  ins.state = to
  return true
}

const removeInstance = (world: World, ins: InstanceRec): void => {
  cvmStore(world, ins.region).instances.delete(ins.id)
  const net = vpcStore(world, ins.region)
  releaseIp(net.subnets.get(ins.subnetId), ins.privateIp)
  const disks = diskStore(world, ins.region)
  for (const d of disks.disks.values()) {
    if (d.instanceId !== ins.id) continue
    if (d.deleteWithInstance || d.usage === "SYSTEM_DISK") disks.disks.delete(d.id)
    else {
      d.state = "UNATTACHED"
      d.until = undefined
      d.lastInstanceId = ins.id
      d.instanceId = ""
    }
  }
}

/** Live instances of a region, transitions applied, in creation order. */
export const instancesOf = (world: World, region: string, now: number): Array<InstanceRec> => {
  const out: Array<InstanceRec> = []
  for (const ins of [...cvmStore(world, region).instances.values()]) if (settle(world, ins, now)) out.push(ins)
  return out
}

/** `S5.MEDIUM4` → 2 cores, 4 GB; `S5.2XLARGE16` → 8 cores, 16 GB. */
const shapeOf = (type: string): { cpu: number; memory: number } | undefined => {
  const m = /^[A-Z]+[A-Z0-9]*\.(SMALL|MEDIUM|LARGE|(\d*)XLARGE)(\d+)$/.exec(type)
  if (m === null) return undefined
  const cpu = m[1] === "SMALL" ? 1 : m[1] === "MEDIUM" ? 2 : m[1] === "LARGE" ? 4 : 4 * Number(m[2] || "1")
  return { cpu, memory: Number(m[3]) }
}

export const instanceJson = (world: World, ins: InstanceRec, now: number) => {
  const disks = [...diskStore(world, ins.region).disks.values()].filter((d) => d.instanceId === ins.id).map((d) => settleDisk(d, now))
  const sys = disks.find((d) => d.id === ins.systemDiskId)
  const data = disks.filter((d) => d.usage === "DATA_DISK" && d.state !== "ATTACHING")
  return {
    Placement: { Zone: ins.zone, ProjectId: ins.projectId },
    InstanceId: ins.id,
    InstanceType: ins.type,
    CPU: ins.cpu,
    Memory: ins.memory,
    RestrictState: "NORMAL",
    InstanceName: ins.name,
    InstanceChargeType: ins.chargeType,
    SystemDisk: {
      DiskType: sys?.type ?? "CLOUD_PREMIUM",
      DiskId: ins.systemDiskId,
      DiskSize: sys?.size ?? 50,
      Encrypt: false,
      KmsKeyId: ""
    },
    DataDisks: data.map((d: DiskRec) => ({
      DiskSize: d.size,
      DiskType: d.type,
      DiskId: d.id,
      DeleteWithInstance: d.deleteWithInstance,
      Encrypt: d.encrypt,
      KmsKeyId: null,
      ThroughputPerformance: d.throughput
    })),
    PrivateIpAddresses: [ins.privateIp],
    PublicIpAddresses: ins.publicIp === null ? null : [ins.publicIp],
    InternetAccessible: {
      InternetChargeType: ins.internetChargeType,
      InternetMaxBandwidthOut: ins.bandwidthOut,
      PublicIpAssigned: ins.publicIp !== null
    },
    VirtualPrivateCloud: { VpcId: ins.vpcId, SubnetId: ins.subnetId, AsVpcGateway: false },
    ImageId: ins.imageId,
    RenewFlag: ins.chargeType === "PREPAID" ? "NOTIFY_AND_MANUAL_RENEW" : "",
    CreatedTime: iso(ins.createdAt),
    ExpiredTime: ins.chargeType === "PREPAID" ? iso(ins.createdAt + 30 * 86400_000) : "",
    OsName: ins.imageId.startsWith("img-") ? "TencentOS Server 3.1 (TK4)" : "Unknown",
    SecurityGroupIds: [...ins.securityGroupIds],
    LoginSettings: { KeyIds: ins.keyIds === null ? null : [...ins.keyIds] },
    InstanceState: ins.state,
    Tags: ins.tags.map((t) => ({ ...t })),
    StopChargingMode: "NOT_APPLICABLE",
    Uuid: ins.uuid,
    LatestOperation: ins.latest?.operation ?? null,
    LatestOperationState: ins.latest?.state ?? null,
    LatestOperationRequestId: ins.latest?.requestId ?? null,
    DisasterRecoverGroupId: "",
    IPv6Addresses: null,
    CamRoleName: ins.camRoleName,
    HpcClusterId: "",
    RdmaIpAddresses: null,
    DedicatedClusterId: "",
    IsolatedSource: "NOTISOLATED",
    DisasterRecoverGroupIds: [],
    LicenseType: "TencentCloud",
    DisableApiTermination: ins.disableApiTermination,
    DefaultLoginUser: "root",
    DefaultLoginPort: 22,
    LatestOperationErrorMsg: ins.latest === null ? null : ""
  }
}

const fail = (code: string, message: string) => new ApiFailure(code, message)

export const makeHandlers = (world: World): Record<string, Handler> => {
  /** Resolve `InstanceIds` to live instances, or the cloud's error. */
  const resolve = (region: string, ids: ReadonlyArray<string>, now: number): Array<InstanceRec> | ApiFailure => {
    if (ids.length === 0) return fail("MissingParameter", "The request is missing a required parameter `InstanceIds`.")
    if (ids.length > 100) return fail("InvalidParameterValue.LimitExceeded", `At most 100 instances per request; got ${ids.length}.`)
    const store = cvmStore(world, region)
    const out: Array<InstanceRec> = []
    for (const id of ids) {
      if (!ID.test(id)) return fail("InvalidInstanceId.Malformed", `The instance id \`${id}\` is malformed (expected ins-xxxxxxxx).`)
      const ins = store.instances.get(id)
      if (ins === undefined || !settle(world, ins, now)) return fail("InvalidInstanceId.NotFound", `The instance \`${id}\` does not exist in this region.`)
      out.push(ins)
    }
    return out
  }

  /** Move instances from `from` states to a transitional state, settling to `to` after `ms`. */
  const transition = (
    operation: string,
    from: ReadonlyArray<InstanceState>,
    via: InstanceState,
    to: InstanceState | "GONE",
    ms: (w: World) => number
  ): Handler =>
    (ctx) => {
      const found = resolve(ctx.region, strings(ctx.params.InstanceIds), ctx.now)
      if (found instanceof ApiFailure) return found
      for (const ins of found) {
        if (!from.includes(ins.state)) {
          return fail(
            `UnsupportedOperation.InstanceState${STATE_CODE[ins.state]}`,
            `The instance \`${ins.id}\` is ${ins.state}; ${operation} needs it to be ${from.join(" or ")}.`
          )
        }
        if (operation === "TerminateInstances" && ins.disableApiTermination) {
          return fail("OperationDenied.InstanceOperationInProgress", `The instance \`${ins.id}\` has termination protection (DisableApiTermination).`)
        }
      }
      for (const ins of found) {
        ins.state = via
        ins.until = { at: ctx.now + ms(world), to }
        ins.latest = { operation, state: "OPERATING", requestId: ctx.requestId }
        settle(world, ins, ctx.now)
      }
      return {}
    }

  return {
    RunInstances(ctx) {
      const p = ctx.params
      const region = ctx.region
      const store = cvmStore(world, region)
      const token = typeof p.ClientToken === "string" && p.ClientToken !== "" ? p.ClientToken : undefined
      if (token !== undefined && store.tokens.has(token)) return { InstanceIdSet: [...store.tokens.get(token)!] }
      const zone = p.Placement?.Zone
      if (typeof zone !== "string") return fail("MissingParameter", "The request is missing a required parameter `Placement.Zone`.")
      if (!zone.startsWith(region + "-")) return fail("InvalidZone.MismatchRegion", `The zone \`${zone}\` is not in the region \`${region}\`.`)
      if (typeof p.ImageId !== "string") return fail("MissingParameter", "The request is missing a required parameter `ImageId`.")
      if (!/^img-[a-z0-9]{8}$/.test(p.ImageId)) return fail("InvalidImageId.Malformed", `The image id \`${p.ImageId}\` is malformed (expected img-xxxxxxxx).`)
      const type = typeof p.InstanceType === "string" ? p.InstanceType : "S5.MEDIUM2"
      const hw = shapeOf(type)
      if (hw === undefined) return fail("InvalidInstanceType.Malformed", `The instance type \`${type}\` is malformed (e.g. S5.MEDIUM4).`)
      const count = intParam(p.InstanceCount, 1)
      if (typeof count !== "number" || count < 1 || count > 100) {
        return fail("InvalidParameterValue.LimitExceeded", "The parameter `InstanceCount` must be between 1 and 100.")
      }
      const chargeType = typeof p.InstanceChargeType === "string" ? p.InstanceChargeType : "POSTPAID_BY_HOUR"
      // network: the given VPC/subnet, or the region's default VPC and the zone's default subnet
      let subnet: SubnetRec
      const vpcParam = p.VirtualPrivateCloud
      if (vpcParam !== undefined) {
        const net = vpcStore(world, region)
        if (!/^vpc-[a-z0-9]{8}$/.test(String(vpcParam.VpcId))) return fail("InvalidParameterValue.VpcIdMalformed", `The VPC id \`${vpcParam.VpcId}\` is malformed.`)
        if (!/^subnet-[a-z0-9]{8}$/.test(String(vpcParam.SubnetId))) return fail("InvalidParameterValue.SubnetIdMalformed", `The subnet id \`${vpcParam.SubnetId}\` is malformed.`)
        if (!net.vpcs.has(vpcParam.VpcId)) return fail("InvalidParameterValue.VpcIdNotExist", `The VPC \`${vpcParam.VpcId}\` does not exist in ${region}.`)
        const s = net.subnets.get(vpcParam.SubnetId)
        if (s === undefined) return fail("InvalidParameterValue.SubnetNotExist", `The subnet \`${vpcParam.SubnetId}\` does not exist in ${region}.`)
        if (s.vpcId !== vpcParam.VpcId) return fail("InvalidParameterValue.VpcIdSubnetIdNotMatch", `The subnet \`${s.id}\` is not in the VPC \`${vpcParam.VpcId}\`.`)
        if (s.zone !== zone) return fail("InvalidParameterValue.SubnetIdZoneIdNotMatch", `The subnet \`${s.id}\` is in ${s.zone}, not in ${zone}.`)
        subnet = s
      } else {
        subnet = defaultSubnet(world, region, zone, ctx.now)
      }
      const ia = p.InternetAccessible ?? {}
      const bandwidth = typeof ia.InternetMaxBandwidthOut === "number" ? ia.InternetMaxBandwidthOut : 0
      const wantsPublic = ia.PublicIpAssigned === true || (ia.PublicIpAssigned === undefined && bandwidth > 0)
      const tags = Array.isArray(p.TagSpecification)
        ? p.TagSpecification.filter((t: any) => t?.ResourceType === "instance").flatMap((t: any) => tagsParam(t.Tags))
        : []
      const disks = diskStore(world, region)
      const ids: Array<string> = []
      const ips: Array<string> = []
      for (let i = 0; i < count; i++) {
        const ip = allocateIp(subnet)
        if (ip === undefined) {
          for (const x of ips) releaseIp(subnet, x)
          return fail("FailedOperation.NoAvailableIpAddressCountInSubnet", `The subnet \`${subnet.id}\` has no free address for ${count} instance(s).`)
        }
        ips.push(ip)
      }
      for (let i = 0; i < count; i++) {
        const id = world.id("ins")
        const sys = newDisk(world, disks, ctx.now, {
          name: `${id}-system`,
          type: p.SystemDisk?.DiskType ?? "CLOUD_PREMIUM",
          size: typeof p.SystemDisk?.DiskSize === "number" ? p.SystemDisk.DiskSize : 50,
          usage: "SYSTEM_DISK",
          chargeType: chargeType === "PREPAID" ? "PREPAID" : "POSTPAID_BYHOUR",
          zone,
          instanceId: id,
          deleteWithInstance: true
        })
        for (const dd of Array.isArray(p.DataDisks) ? p.DataDisks : []) {
          newDisk(world, disks, ctx.now, {
            name: typeof dd.DiskName === "string" ? dd.DiskName : `${id}-data`,
            type: dd.DiskType ?? "CLOUD_PREMIUM",
            size: typeof dd.DiskSize === "number" ? dd.DiskSize : 50,
            usage: "DATA_DISK",
            chargeType: chargeType === "PREPAID" ? "PREPAID" : "POSTPAID_BYHOUR",
            zone,
            instanceId: id,
            deleteWithInstance: dd.DeleteWithInstance !== false,
            encrypt: dd.Encrypt === true
          })
        }
        const base = typeof p.InstanceName === "string" && p.InstanceName !== "" ? p.InstanceName : "未命名"
        const ins: InstanceRec = {
          id,
          uuid: world.uuid(),
          name: count > 1 ? `${base}${i + 1}` : base,
          region,
          zone,
          projectId: typeof p.Placement?.ProjectId === "number" ? p.Placement.ProjectId : 0,
          type,
          cpu: hw.cpu,
          memory: hw.memory,
          imageId: p.ImageId,
          chargeType,
          vpcId: subnet.vpcId,
          subnetId: subnet.id,
          privateIp: ips[i],
          publicIp: wantsPublic ? world.publicIp() : null,
          internetChargeType: typeof ia.InternetChargeType === "string" ? ia.InternetChargeType : "TRAFFIC_POSTPAID_BY_HOUR",
          bandwidthOut: bandwidth,
          securityGroupIds: strings(p.SecurityGroupIds),
          keyIds: Array.isArray(p.LoginSettings?.KeyIds) ? strings(p.LoginSettings.KeyIds) : null,
          tags,
          createdAt: ctx.now,
          systemDiskId: sys.id,
          disableApiTermination: p.DisableApiTermination === true,
          camRoleName: typeof p.CamRoleName === "string" ? p.CamRoleName : null,
          state: "PENDING",
          until: { at: ctx.now + world.timings.launch, to: "RUNNING" },
          latest: { operation: "RunInstances", state: "OPERATING", requestId: ctx.requestId }
        }
        store.instances.set(id, ins)
        settle(world, ins, ctx.now)
        ids.push(id)
      }
      if (token !== undefined) store.tokens.set(token, ids)
      return { InstanceIdSet: ids }
    },

    DescribeInstances(ctx) {
      const p = ctx.params
      const ids = strings(p.InstanceIds)
      if (ids.length > 0 && p.Filters !== undefined) {
        return fail("InvalidParameter", "The parameters `InstanceIds` and `Filters` cannot be specified at the same time.")
      }
      if (ids.length > 100) return fail("InvalidParameterValue.LimitExceeded", `At most 100 instance ids; got ${ids.length}.`)
      for (const id of ids) if (!ID.test(id)) return fail("InvalidInstanceId.Malformed", `The instance id \`${id}\` is malformed (expected ins-xxxxxxxx).`)
      let items = instancesOf(world, ctx.region, ctx.now)
      if (ids.length > 0) {
        const want = new Set(ids)
        items = items.filter((i) => want.has(i.id))
      }
      if (Array.isArray(p.Filters) && p.Filters.length > 10) return fail("InvalidParameterValue.LimitExceeded", "At most 10 filters.")
      const filtered = applyFilters(
        items,
        p.Filters,
        {
          zone: (i) => i.zone,
          "project-id": (i) => String(i.projectId),
          "instance-id": (i) => i.id,
          "instance-name": (i) => i.name,
          "instance-state": (i) => i.state,
          "instance-charge-type": (i) => i.chargeType,
          "instance-type": (i) => i.type,
          "image-id": (i) => i.imageId,
          "vpc-id": (i) => i.vpcId,
          "subnet-id": (i) => i.subnetId,
          "private-ip-address": (i) => i.privateIp,
          "public-ip-address": (i) => i.publicIp ?? undefined,
          "security-group-id": (i) => i.securityGroupIds,
          uuid: (i) => i.uuid
        },
        (i) => i.tags,
        "InvalidFilter"
      )
      if (filtered instanceof ApiFailure) return filtered
      const pg = page(filtered, p)
      if (pg instanceof ApiFailure) return pg
      return { TotalCount: filtered.length, InstanceSet: pg.map((i) => instanceJson(world, i, ctx.now)) }
    },

    StartInstances: transition("StartInstances", ["STOPPED"], "STARTING", "RUNNING", (w) => w.timings.start),
    StopInstances: transition("StopInstances", ["RUNNING"], "STOPPING", "STOPPED", (w) => w.timings.stop),
    RebootInstances: transition("RebootInstances", ["RUNNING"], "REBOOTING", "RUNNING", (w) => w.timings.reboot),
    TerminateInstances: transition(
      "TerminateInstances",
      ["RUNNING", "STOPPED", "LAUNCH_FAILED", "SHUTDOWN"],
      "TERMINATING",
      "GONE",
      (w) => w.timings.terminate
    )
  }
}
