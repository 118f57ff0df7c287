/**
 * CBS state: CreateDisks / DescribeDisks / AttachDisks / DetachDisks / TerminateDisks, with
 * `ATTACHING` → `ATTACHED` and `DETACHING` → `UNATTACHED` transitions over time. RunInstances
 * creates its data disks here (attached, `DeleteWithInstance`), and TerminateInstances releases them.
 *
 * @internal
 */
import { ApiFailure, applyFilters, type Handler, intParam, localDatetime, page, strings, type TagRec, tagsParam, type World } from "./world.js"

export type DiskState = "UNATTACHED" | "ATTACHING" | "ATTACHED" | "DETACHING"

export interface DiskRec {
  readonly id: string
  name: string
  readonly type: string
  readonly size: number
  readonly usage: "SYSTEM_DISK" | "DATA_DISK"
  readonly chargeType: string
  readonly zone: string
  readonly projectId: number
  readonly createdAt: number
  readonly encrypt: boolean
  readonly shareable: boolean
  readonly throughput: number
  readonly tags: ReadonlyArray<TagRec>
  state: DiskState
  instanceId: string
  lastInstanceId: string | null
  deleteWithInstance: boolean
  /** Pending transition. */
  until?: { readonly at: number; readonly to: DiskState } | undefined
}

export interface DiskStore {
  readonly disks: Map<string, DiskRec>
  readonly tokens: Map<string, ReadonlyArray<string>>
}

export const diskStore = (world: World, region: string): DiskStore =>
  world.store("cbs", region, () => ({ disks: new Map(), tokens: new Map() }))

/** Apply a due transition. */
export const settleDisk = (d: DiskRec, now: number): DiskRec => {
  if (d.until !== undefined && now >= d.until.at) {
    d.state = d.until.to
    d.until = undefined
    if (d.state === "UNATTACHED") {
      d.lastInstanceId = d.instanceId || d.lastInstanceId
      d.instanceId = ""
    }
  }
  return d
}

const DISK_TYPES = new Set(["CLOUD_BASIC", "CLOUD_PREMIUM", "CLOUD_SSD", "CLOUD_HSSD", "CLOUD_TSSD", "CLOUD_BSSD"])
const CHARGE_TYPES = new Set(["PREPAID", "POSTPAID_BYHOUR", "CDCPAID"])
const ID = /^disk-[a-z0-9]{8}$/

/** A new disk record (also used by RunInstances for system and data disks). */
export const newDisk = (
  world: World,
  store: DiskStore,
  now: number,
  o: {
    readonly name: string
    readonly type: string
    readonly size: number
    readonly usage: "SYSTEM_DISK" | "DATA_DISK"
    readonly chargeType: string
    readonly zone: string
    readonly projectId?: number
    readonly instanceId?: string
    readonly deleteWithInstance?: boolean
    readonly encrypt?: boolean
    readonly shareable?: boolean
    readonly throughput?: number
    readonly tags?: ReadonlyArray<TagRec>
  }
): DiskRec => {
  const d: DiskRec = {
    id: world.id("disk"),
    name: o.name,
    type: o.type,
    size: o.size,
    usage: o.usage,
    chargeType: o.chargeType,
    zone: o.zone,
    projectId: o.projectId ?? 0,
    createdAt: now,
    encrypt: o.encrypt ?? false,
    shareable: o.shareable ?? false,
    throughput: o.throughput ?? 0,
    tags: o.tags ?? [],
    state: o.instanceId ? "ATTACHED" : "UNATTACHED",
    instanceId: o.instanceId ?? "",
    lastInstanceId: null,
    deleteWithInstance: o.deleteWithInstance ?? false
  }
  store.disks.set(d.id, d)
  return d
}

export const diskJson = (d: DiskRec) => ({
  DeleteWithInstance: d.deleteWithInstance,
  RenewFlag: "NOTIFY_AND_MANUAL_RENEW",
  DiskType: d.type,
  DiskState: d.state,
  SnapshotCount: 0,
  AutoRenewFlagError: false,
  Rollbacking: false,
  InstanceIdList: d.instanceId ? [d.instanceId] : [],
  Encrypt: d.encrypt,
  DiskName: d.name,
  BackupDisk: false,
  Tags: d.tags.map((t) => ({ ...t })),
  InstanceId: d.instanceId,
  AttachMode: d.shareable ? "MULTI_ATTACH" : "",
  AutoSnapshotPolicyIds: [],
  ThroughputPerformance: d.throughput,
  Migrating: false,
  DiskId: d.id,
  SnapshotSize: 0,
  Placement: { Zone: d.zone, CageId: null, CdcId: null, CdcName: null, DedicatedClusterId: "", ProjectId: d.projectId, ProjectName: null },
  IsReturnable: d.chargeType === "PREPAID",
  DeadlineTime: d.chargeType === "PREPAID" ? localDatetime(d.createdAt + 30 * 86400_000) : "",
  Attached: d.state === "ATTACHED" || d.state === "DETACHING",
  DiskSize: d.size,
  MigratePercent: 0,
  DiskUsage: d.usage,
  DiskChargeType: d.chargeType,
  Portable: d.usage === "DATA_DISK",
  SnapshotAbility: true,
  DeadlineError: false,
  RollbackPercent: 0,
  DifferDaysOfDeadline: null,
  ReturnFailCode: 0,
  Shareable: d.shareable,
  CreateTime: localDatetime(d.createdAt),
  DeleteSnapshot: 0,
  DiskBackupQuota: 0,
  DiskBackupCount: 0,
  InstanceType: "CVM",
  LastAttachInsId: d.lastInstanceId,
  ErrorPrompt: "",
  BurstPerformance: false
})

/** What CBS needs to know of an instance. */
export interface InstanceView {
  readonly zone: string
  readonly state: string
}

export const makeHandlers = (world: World, instance: (region: string, id: string, now: number) => InstanceView | undefined): Record<string, Handler> => {
  const find = (store: DiskStore, ids: ReadonlyArray<string>, now: number): Array<DiskRec> | ApiFailure => {
    if (ids.length === 0) return new ApiFailure("MissingParameter", "The request is missing a required parameter `DiskIds`.")
    if (ids.length > 50) return new ApiFailure("InvalidParameterValue.LimitExceeded", `At most 50 disks per request; got ${ids.length}.`)
    const out: Array<DiskRec> = []
    for (const id of ids) {
      if (!ID.test(id)) return new ApiFailure("InvalidParameterValue", `The disk id \`${id}\` is malformed (expected disk-xxxxxxxx).`)
      const d = store.disks.get(id)
      if (d === undefined) return new ApiFailure("InvalidDiskId.NotFound", `The disk \`${id}\` does not exist.`)
      out.push(settleDisk(d, now))
    }
    return out
  }

  return {
    CreateDisks(ctx) {
      const p = ctx.params
      const store = diskStore(world, ctx.region)
      const token = typeof p.ClientToken === "string" && p.ClientToken !== "" ? p.ClientToken : undefined
      if (token !== undefined && store.tokens.has(token)) return { DiskIdSet: [...store.tokens.get(token)!] }
      const zone = p.Placement?.Zone
      if (typeof zone !== "string") return new ApiFailure("MissingParameter", "The request is missing a required parameter `Placement.Zone`.")
      if (!zone.startsWith(ctx.region + "-")) return new ApiFailure("InvalidParameterValue", `The zone \`${zone}\` is not in the region \`${ctx.region}\`.`)
      if (!DISK_TYPES.has(p.DiskType)) {
        return new ApiFailure("InvalidParameterValue", `The value \`${p.DiskType}\` of parameter \`DiskType\` is invalid; use one of ${[...DISK_TYPES].join(", ")}.`)
      }
      if (!CHARGE_TYPES.has(p.DiskChargeType)) {
        return new ApiFailure("InvalidParameterValue", `The value \`${p.DiskChargeType}\` of parameter \`DiskChargeType\` is invalid; use one of ${[...CHARGE_TYPES].join(", ")}.`)
      }
      const size = intParam(p.DiskSize, 0)
      if (typeof size !== "number" || size < 10 || size > 32000) {
        return new ApiFailure("InvalidParameterValue", "The parameter `DiskSize` must be between 10 and 32000 (GiB).")
      }
      const count = intParam(p.DiskCount, 1)
      if (typeof count !== "number" || count < 1 || count > 50) {
        return new ApiFailure("InvalidParameterValue.LimitExceeded", "The parameter `DiskCount` must be between 1 and 50.")
      }
      const ids: Array<string> = []
      for (let i = 0; i < count; i++) {
        ids.push(
          newDisk(world, store, ctx.now, {
            name: typeof p.DiskName === "string" ? p.DiskName : "未命名",
            type: p.DiskType,
            size,
            usage: "DATA_DISK",
            chargeType: p.DiskChargeType,
            zone,
            projectId: typeof p.Placement?.ProjectId === "number" ? p.Placement.ProjectId : 0,
            encrypt: p.Encrypt === "ENCRYPT",
            shareable: p.Shareable === true,
            throughput: typeof p.ThroughputPerformance === "number" ? p.ThroughputPerformance : 0,
            tags: tagsParam(p.Tags)
          }).id
        )
      }
      if (token !== undefined) store.tokens.set(token, ids)
      return { DiskIdSet: ids }
    },

    DescribeDisks(ctx) {
      const p = ctx.params
      const store = diskStore(world, ctx.region)
      const ids = strings(p.DiskIds)
      if (ids.length > 0 && p.Filters !== undefined) {
        return new ApiFailure("InvalidParameterValue", "The parameters `DiskIds` and `Filters` cannot be specified at the same time.")
      }
      let items = (ids.length > 0 ? ids.flatMap((id) => store.disks.get(id) ?? []) : [...store.disks.values()]).map((d) => settleDisk(d, ctx.now))
      const filtered = applyFilters(
        items,
        p.Filters,
        {
          "disk-id": (d) => d.id,
          "disk-usage": (d) => d.usage,
          "disk-charge-type": (d) => d.chargeType,
          portable: (d) => String(d.usage === "DATA_DISK"),
          "project-id": (d) => String(d.projectId),
          "instance-id": (d) => d.instanceId,
          "disk-name": (d) => d.name,
          "disk-type": (d) => d.type,
          "disk-state": (d) => d.state,
          attachment: (d) => String(d.instanceId !== ""),
          zone: (d) => d.zone
        },
        (d) => d.tags,
        "InvalidFilter"
      )
      if (filtered instanceof ApiFailure) return filtered
      items = filtered
      if (p.Order === "DESC") items.reverse()
      const pg = page(items, p)
      if (pg instanceof ApiFailure) return pg
      return { TotalCount: items.length, DiskSet: pg.map(diskJson) }
    },

    AttachDisks(ctx) {
      const p = ctx.params
      const store = diskStore(world, ctx.region)
      const disks = find(store, strings(p.DiskIds), ctx.now)
      if (disks instanceof ApiFailure) return disks
      const ins = instance(ctx.region, String(p.InstanceId), ctx.now)
      if (ins === undefined) return new ApiFailure("InvalidInstanceId.NotFound", `The instance \`${p.InstanceId}\` does not exist in ${ctx.region}.`)
      if (ins.state !== "RUNNING" && ins.state !== "STOPPED") {
        return new ApiFailure("InvalidInstance.NotSupported", `The instance \`${p.InstanceId}\` is ${ins.state}; disks attach to RUNNING or STOPPED instances.`)
      }
      for (const d of disks) {
        if (d.state !== "UNATTACHED") return new ApiFailure("ResourceUnavailable.Attached", `The disk \`${d.id}\` is ${d.state}${d.instanceId ? ` (instance ${d.instanceId})` : ""}.`)
        if (d.usage === "SYSTEM_DISK") return new ApiFailure("ResourceUnavailable.NotPortable", `The disk \`${d.id}\` is a system disk.`)
        if (d.zone !== ins.zone) return new ApiFailure("ResourceUnavailable.ZoneNotMatch", `The disk \`${d.id}\` is in ${d.zone}, the instance in ${ins.zone}.`)
      }
      for (const d of disks) {
        d.instanceId = String(p.InstanceId)
        if (typeof p.DeleteWithInstance === "boolean") d.deleteWithInstance = p.DeleteWithInstance
        d.state = "ATTACHING"
        d.until = { at: ctx.now + world.timings.attach, to: "ATTACHED" }
        settleDisk(d, ctx.now)
      }
      return {}
    },

    DetachDisks(ctx) {
      const p = ctx.params
      const store = diskStore(world, ctx.region)
      const disks = find(store, strings(p.DiskIds), ctx.now)
      if (disks instanceof ApiFailure) return disks
      for (const d of disks) {
        if (d.state !== "ATTACHED") return new ApiFailure("ResourceUnavailable.NotSupported", `The disk \`${d.id}\` is ${d.state}; only ATTACHED disks can be detached.`)
        if (d.usage === "SYSTEM_DISK") return new ApiFailure("ResourceUnavailable.NotPortable", `The disk \`${d.id}\` is a system disk.`)
        if (typeof p.InstanceId === "string" && p.InstanceId !== d.instanceId) {
          return new ApiFailure("InvalidParameterValue", `The disk \`${d.id}\` is not attached to \`${p.InstanceId}\`.`)
        }
      }
      for (const d of disks) {
        d.state = "DETACHING"
        d.until = { at: ctx.now + world.timings.detach, to: "UNATTACHED" }
        settleDisk(d, ctx.now)
      }
      return {}
    },

    TerminateDisks(ctx) {
      const store = diskStore(world, ctx.region)
      const disks = find(store, strings(ctx.params.DiskIds), ctx.now)
      if (disks instanceof ApiFailure) return disks
      for (const d of disks) {
        if (d.state !== "UNATTACHED") return new ApiFailure("UnsupportedOperation", `The disk \`${d.id}\` is ${d.state}; detach it first.`)
      }
      for (const d of disks) store.disks.delete(d.id)
      return {}
    }
  }
}
