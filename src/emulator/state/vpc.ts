/**
 * VPC state: CreateVpc / DescribeVpcs / DeleteVpc, CreateSubnet / DescribeSubnets / DeleteSubnet,
 * plus the default VPC and subnets that RunInstances uses when none is given.
 *
 * @internal
 */
import {
  ApiFailure,
  applyFilters,
  type Cidr,
  cidrContains,
  cidrOverlap,
  cidrSize,
  type Handler,
  ipText,
  localDatetime,
  page,
  parseCidr,
  strings,
  type TagRec,
  tagsParam,
  type World
} from "./world.js"

export interface VpcRec {
  readonly id: string
  readonly name: string
  readonly cidr: Cidr
  readonly isDefault: boolean
  readonly createdAt: number
  readonly dnsServers: ReadonlyArray<string>
  readonly domainName: string
  readonly enableMulticast: boolean
  readonly tags: ReadonlyArray<TagRec>
}

export interface SubnetRec {
  readonly id: string
  readonly vpcId: string
  readonly name: string
  readonly cidr: Cidr
  readonly zone: string
  readonly isDefault: boolean
  readonly createdAt: number
  readonly routeTableId: string
  readonly tags: ReadonlyArray<TagRec>
  /** Host offsets in use (private IPs handed out). */
  readonly used: Set<number>
}

export interface VpcStore {
  readonly vpcs: Map<string, VpcRec>
  readonly subnets: Map<string, SubnetRec>
}

export const vpcStore = (world: World, region: string): VpcStore =>
  world.store("vpc", region, () => ({ vpcs: new Map(), subnets: new Map() }))

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((s) => parseCidr(s)!)

const ID = { vpc: /^vpc-[a-z0-9]{8}$/, subnet: /^subnet-[a-z0-9]{8}$/ }

export const vpcJson = (v: VpcRec) => ({
  VpcName: v.name,
  VpcId: v.id,
  CidrBlock: v.cidr.text,
  IsDefault: v.isDefault,
  EnableMulticast: v.enableMulticast,
  CreatedTime: localDatetime(v.createdAt),
  DnsServerSet: [...v.dnsServers],
  DomainName: v.domainName,
  DhcpOptionsId: "",
  EnableDhcp: true,
  Ipv6CidrBlock: "",
  TagSet: v.tags.map((t) => ({ ...t })),
  AssistantCidrSet: [],
  EnableRouteVpcPublish: false,
  Ipv6CidrBlockSet: [],
  EnableRouteVpcPublishIpv6: false
})

export const subnetJson = (s: SubnetRec) => {
  const total = cidrSize(s.cidr)
  return {
    VpcId: s.vpcId,
    SubnetId: s.id,
    SubnetName: s.name,
    CidrBlock: s.cidr.text,
    IsDefault: s.isDefault,
    EnableBroadcast: false,
    Zone: s.zone,
    RouteTableId: s.routeTableId,
    CreatedTime: localDatetime(s.createdAt),
    AvailableIpAddressCount: Math.max(0, total - 3 - s.used.size),
    Ipv6CidrBlock: "",
    NetworkAclId: "",
    IsRemoteVpcSnat: false,
    TotalIpAddressCount: total,
    TagSet: s.tags.map((t) => ({ ...t })),
    CdcId: "",
    IsCdcSubnet: 0
  }
}

const malformed = (param: string, id: string) =>
  new ApiFailure("InvalidParameterValue.Malformed", `The value \`${id}\` of parameter \`${param}\` is malformed.`)

const createVpcRec = (world: World, store: VpcStore, now: number, name: string, cidr: Cidr, isDefault: boolean, p: Readonly<Record<string, any>>): VpcRec => {
  const v: VpcRec = {
    id: world.id("vpc"),
    name,
    cidr,
    isDefault,
    createdAt: now,
    dnsServers: strings(p.DnsServers).length > 0 ? strings(p.DnsServers) : ["183.60.83.19", "183.60.82.98"],
    domainName: typeof p.DomainName === "string" ? p.DomainName : "",
    enableMulticast: p.EnableMulticast === "true" || p.EnableMulticast === true,
    tags: tagsParam(p.Tags)
  }
  store.vpcs.set(v.id, v)
  return v
}

const createSubnetRec = (world: World, store: VpcStore, now: number, vpc: VpcRec, name: string, cidr: Cidr, zone: string, isDefault: boolean, tags: ReadonlyArray<TagRec>): SubnetRec => {
  const s: SubnetRec = {
    id: world.id("subnet"),
    vpcId: vpc.id,
    name,
    cidr,
    zone,
    isDefault,
    createdAt: now,
    routeTableId: world.id("rtb"),
    tags,
    used: new Set()
  }
  store.subnets.set(s.id, s)
  return s
}

/** The region's default VPC and the default subnet of a zone, created on first use. */
export const defaultSubnet = (world: World, region: string, zone: string, now: number): SubnetRec => {
  const store = vpcStore(world, region)
  let vpc = [...store.vpcs.values()].find((v) => v.isDefault)
  vpc ??= createVpcRec(world, store, now, "Default-VPC", parseCidr("172.16.0.0/16")!, true, {})
  const existing = [...store.subnets.values()].find((s) => s.vpcId === vpc.id && s.zone === zone && s.isDefault)
  if (existing !== undefined) return existing
  const n = [...store.subnets.values()].filter((s) => s.vpcId === vpc.id).length
  return createSubnetRec(world, store, now, vpc, "Default-Subnet", parseCidr(`172.16.${(n * 16) % 256}.0/20`)!, zone, true, [])
}

/** Hand out the next free private IP of a subnet (`undefined` when full). */
export const allocateIp = (s: SubnetRec): string | undefined => {
  const size = cidrSize(s.cidr)
  for (let off = 2; off < size - 1; off++) {
    // .0 network, .1 gateway, last broadcast
    if (!s.used.has(off)) {
      s.used.add(off)
      return ipText(s.cidr.base + off)
    }
  }
  return undefined
}

/** Give a private IP back. */
export const releaseIp = (s: SubnetRec | undefined, ip: string): void => {
  if (s === undefined) return
  const p = parseCidr(`${ip}/32`)
  if (p !== undefined) s.used.delete(p.base - s.cidr.base)
}

export const makeHandlers = (world: World, instancesInSubnet: (region: string, subnetId: string) => number): Record<string, Handler> => ({
  CreateVpc(ctx) {
    const p = ctx.params
    const store = vpcStore(world, ctx.region)
    const cidr = parseCidr(p.CidrBlock)
    if (cidr === undefined) return malformed("CidrBlock", String(p.CidrBlock))
    if (!PRIVATE.some((r) => cidrContains(r, cidr)) || cidr.bits > 28 || cidr.bits < 12) {
      return new ApiFailure(
        "InvalidParameterValue.Range",
        `The CIDR block \`${cidr.text}\` is out of range: use a block of 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 with a mask between /12 and /28.`
      )
    }
    if (typeof p.VpcName !== "string" || p.VpcName.length === 0 || p.VpcName.length > 60) {
      return new ApiFailure("InvalidParameterValue.TooLong", "The parameter `VpcName` must be 1 to 60 characters long.")
    }
    if (store.vpcs.size >= 20) return new ApiFailure("LimitExceeded", "The region already has 20 VPCs, the quota.")
    return { Vpc: vpcJson(createVpcRec(world, store, ctx.now, p.VpcName, cidr, false, p)) }
  },

  DescribeVpcs(ctx) {
    const p = ctx.params
    const store = vpcStore(world, ctx.region)
    const ids = strings(p.VpcIds)
    if (ids.length > 0 && p.Filters !== undefined) {
      return new ApiFailure("InvalidParameter.Coexist", "The parameters `VpcIds` and `Filters` cannot be specified at the same time.")
    }
    for (const id of ids) if (!ID.vpc.test(id)) return malformed("VpcIds", id)
    let items = ids.length > 0 ? ids.flatMap((id) => store.vpcs.get(id) ?? []) : [...store.vpcs.values()]
    const filtered = applyFilters(
      items,
      p.Filters,
      {
        "vpc-name": (v) => v.name,
        "is-default": (v) => String(v.isDefault),
        "vpc-id": (v) => v.id,
        "cidr-block": (v) => v.cidr.text
      },
      (v) => v.tags,
      "InvalidParameter.FilterInvalidKey"
    )
    if (filtered instanceof ApiFailure) return filtered
    items = filtered
    const pg = page(items, p)
    if (pg instanceof ApiFailure) return pg
    return { TotalCount: items.length, VpcSet: pg.map(vpcJson) }
  },

  DeleteVpc(ctx) {
    const store = vpcStore(world, ctx.region)
    const id = String(ctx.params.VpcId)
    if (!ID.vpc.test(id)) return malformed("VpcId", id)
    if (!store.vpcs.has(id)) return new ApiFailure("ResourceNotFound", `The VPC \`${id}\` does not exist in ${ctx.region}.`)
    const subnets = [...store.subnets.values()].filter((s) => s.vpcId === id)
    if (subnets.length > 0) {
      return new ApiFailure("ResourceInUse", `The VPC \`${id}\` still has subnets (${subnets.map((s) => s.id).join(", ")}); delete them first.`)
    }
    store.vpcs.delete(id)
    return {}
  },

  CreateSubnet(ctx) {
    const p = ctx.params
    const store = vpcStore(world, ctx.region)
    const vpcId = String(p.VpcId)
    if (!ID.vpc.test(vpcId)) return malformed("VpcId", vpcId)
    const vpc = store.vpcs.get(vpcId)
    if (vpc === undefined) return new ApiFailure("ResourceNotFound", `The VPC \`${vpcId}\` does not exist in ${ctx.region}.`)
    const cidr = parseCidr(p.CidrBlock)
    if (cidr === undefined) return malformed("CidrBlock", String(p.CidrBlock))
    if (!cidrContains(vpc.cidr, cidr) || cidr.bits > 29) {
      return new ApiFailure("InvalidParameterValue.SubnetRange", `The subnet block \`${cidr.text}\` must lie inside the VPC block \`${vpc.cidr.text}\` with a mask of at most /29.`)
    }
    const clash = [...store.subnets.values()].find((s) => s.vpcId === vpcId && cidrOverlap(s.cidr, cidr))
    if (clash !== undefined) {
      return new ApiFailure("InvalidParameterValue.SubnetConflict", `The subnet block \`${cidr.text}\` overlaps \`${clash.cidr.text}\` of subnet \`${clash.id}\`.`)
    }
    const zone = String(p.Zone)
    if (!zone.startsWith(ctx.region + "-")) {
      return new ApiFailure("InvalidParameterValue.ZoneConflict", `The zone \`${zone}\` is not in the region \`${ctx.region}\`.`)
    }
    if (typeof p.SubnetName !== "string" || p.SubnetName.length === 0 || p.SubnetName.length > 60) {
      return new ApiFailure("InvalidParameterValue.TooLong", "The parameter `SubnetName` must be 1 to 60 characters long.")
    }
    return { Subnet: subnetJson(createSubnetRec(world, store, ctx.now, vpc, p.SubnetName, cidr, zone, false, tagsParam(p.Tags))) }
  },

  DescribeSubnets(ctx) {
    const p = ctx.params
    const store = vpcStore(world, ctx.region)
    const ids = strings(p.SubnetIds)
    if (ids.length > 0 && p.Filters !== undefined) {
      return new ApiFailure("InvalidParameter.Coexist", "The parameters `SubnetIds` and `Filters` cannot be specified at the same time.")
    }
    for (const id of ids) if (!ID.subnet.test(id)) return malformed("SubnetIds", id)
    let items = ids.length > 0 ? ids.flatMap((id) => store.subnets.get(id) ?? []) : [...store.subnets.values()]
    const filtered = applyFilters(
      items,
      p.Filters,
      {
        "subnet-id": (s) => s.id,
        "vpc-id": (s) => s.vpcId,
        "cidr-block": (s) => s.cidr.text,
        "is-default": (s) => String(s.isDefault),
        zone: (s) => s.zone,
        "subnet-name": (s) => s.name
      },
      (s) => s.tags,
      "InvalidParameter.FilterInvalidKey"
    )
    if (filtered instanceof ApiFailure) return filtered
    items = filtered
    const pg = page(items, p)
    if (pg instanceof ApiFailure) return pg
    return { TotalCount: items.length, SubnetSet: pg.map(subnetJson) }
  },

  DeleteSubnet(ctx) {
    const store = vpcStore(world, ctx.region)
    const id = String(ctx.params.SubnetId)
    if (!ID.subnet.test(id)) return malformed("SubnetId", id)
    if (!store.subnets.has(id)) return new ApiFailure("ResourceNotFound", `The subnet \`${id}\` does not exist in ${ctx.region}.`)
    const n = instancesInSubnet(ctx.region, id)
    if (n > 0) return new ApiFailure("ResourceInUse", `The subnet \`${id}\` still has ${n} instance(s); terminate them first.`)
    store.subnets.delete(id)
    return {}
  }
})
