/**
 * The Huawei Cloud part of the emulator's world: IAM projects and the account's domain, temporary
 * keys (metadata service, federated id tokens), VPCs and subnets (VPC v1 and v3 paths), ECS
 * servers and jobs, and a small file store (multipart upload, streamed download) that exists only
 * in the emulator, to test uploads and downloads. Ids are derived from the seed, so runs repeat.
 *
 * @internal
 */
import { createHash } from "node:crypto"

/** An answer: status, JSON body (or raw bytes), extra headers. */
export interface HwAnswer {
  readonly status: number
  readonly body?: unknown
  readonly bytes?: Buffer | undefined
  readonly contentType?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** The error code when this is an error answer (for the request log). */
  readonly code?: string | undefined
  readonly message?: string | undefined
}

/** Huawei's error document `{error_code, error_msg}`. */
export const fail = (status: number, code: string, message: string, requestId: string): HwAnswer => ({
  status,
  body: { error_code: code, error_msg: message, request_id: requestId },
  code,
  message
})

/** Regions the emulated IAM knows (one project each). */
export const REGIONS: ReadonlyArray<string> = [
  "cn-north-1", "cn-north-4", "cn-north-9", "cn-east-2", "cn-east-3", "cn-south-1", "cn-southwest-2",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "af-south-1", "la-south-2", "eu-west-101"
]

export interface TemporaryKey {
  readonly access: string
  readonly secret: string
  readonly token: string
  readonly expiresAt: number
}

export interface VpcRecord {
  id: string
  name: string
  cidr: string
  description: string
  readonly projectId: string
  readonly createdAt: string
  updatedAt: string
}

export interface SubnetRecord {
  readonly id: string
  name: string
  readonly cidr: string
  readonly gatewayIp: string
  readonly vpcId: string
  readonly availabilityZone: string
  readonly projectId: string
  readonly createdAt: string
}

export interface ServerRecord {
  readonly id: string
  readonly name: string
  readonly flavorRef: string
  readonly imageRef: string
  readonly vpcId: string
  readonly subnetId: string
  readonly ip: string
  readonly projectId: string
  readonly created: string
  readonly availabilityZone: string
}

export interface FileRecord {
  readonly name: string
  readonly bytes: Buffer
  readonly contentType: string
  readonly fields: Readonly<Record<string, string>>
}

const hex = (...parts: ReadonlyArray<string | number>): string => createHash("sha256").update(parts.join("\u0000")).digest("hex")

const uuid = (h: string): string => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`

/** `2026-12-01T12:00:00.000000Z`, the format of Huawei expiry times. */
export const microsIso = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z")

/** The emulator's Huawei world. */
export class HuaweiWorld {
  readonly domainId: string
  readonly domainName = "emulator-domain"
  readonly temporary = new Map<string, TemporaryKey>()
  readonly metadataTokens = new Set<string>()
  readonly subjectTokens = new Map<string, number>()
  readonly vpcs = new Map<string, VpcRecord>()
  readonly subnets = new Map<string, SubnetRecord>()
  readonly servers = new Map<string, ServerRecord>()
  readonly jobs = new Map<string, { readonly type: string; readonly ids: ReadonlyArray<string> }>()
  readonly files = new Map<string, FileRecord>()
  private counter = 0

  constructor(readonly seed: number, readonly now: () => number) {
    this.domainId = hex("domain", seed).slice(0, 32)
  }

  reset(): void {
    this.temporary.clear()
    this.metadataTokens.clear()
    this.subjectTokens.clear()
    this.vpcs.clear()
    this.subnets.clear()
    this.servers.clear()
    this.jobs.clear()
    this.files.clear()
    this.counter = 0
  }

  /** The project id of a region (one per region), deterministic. */
  projectId(region: string): string {
    return hex("project", this.seed, region).slice(0, 32)
  }

  /** The region whose project this is, or undefined. */
  regionOfProject(projectId: string): string | undefined {
    return REGIONS.find((r) => this.projectId(r) === projectId)
  }

  nextId(kind: string): string {
    return uuid(hex(kind, this.seed, ++this.counter))
  }

  isoNow(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z")
  }

  /** Issue a temporary key valid for `seconds`. */
  issueTemporary(seconds: number, subject: string): TemporaryKey {
    const n = ++this.counter
    const h = hex("temporary", this.seed, subject, n)
    const key: TemporaryKey = {
      access: `TMP${h.slice(0, 17).toUpperCase()}`,
      secret: h.slice(17, 57),
      token: `hw-token-${hex("token", this.seed, n)}`,
      expiresAt: this.now() + seconds * 1000
    }
    this.temporary.set(key.access, key)
    return key
  }

  credentialDocument(key: TemporaryKey): unknown {
    return { credential: { access: key.access, secret: key.secret, securitytoken: key.token, expires_at: microsIso(key.expiresAt) } }
  }

  vpcV1(v: VpcRecord): unknown {
    return {
      id: v.id, name: v.name, cidr: v.cidr, description: v.description, status: "OK", routes: [],
      enterprise_project_id: "0", tenant_id: v.projectId, created_at: v.createdAt, updated_at: v.updatedAt
    }
  }

  vpcV3(v: VpcRecord): unknown {
    return {
      id: v.id, name: v.name, description: v.description, cidr: v.cidr, extend_cidrs: [], status: "ACTIVE",
      project_id: v.projectId, enterprise_project_id: "0", created_at: v.createdAt, updated_at: v.updatedAt, cloud_resources: [], tags: []
    }
  }

  subnetView(s: SubnetRecord): unknown {
    return {
      id: s.id, name: s.name, description: "", cidr: s.cidr, gateway_ip: s.gatewayIp, ipv6_enable: false, dhcp_enable: true,
      primary_dns: "100.125.1.250", secondary_dns: "100.125.64.250", availability_zone: s.availabilityZone, vpc_id: s.vpcId,
      status: "ACTIVE", neutron_network_id: s.id, neutron_subnet_id: hex("neutron", s.id).slice(0, 36), scope: "center",
      tenant_id: s.projectId, created_at: s.createdAt, updated_at: s.createdAt
    }
  }

  serverView(s: ServerRecord): unknown {
    return {
      id: s.id, name: s.name, status: "ACTIVE", created: s.created, updated: s.created, tenant_id: s.projectId,
      flavor: { id: s.flavorRef, name: s.flavorRef, disk: "0", vcpus: "2", ram: "4096" },
      image: { id: s.imageRef },
      metadata: { vpc_id: s.vpcId },
      addresses: { [s.vpcId]: [{ addr: s.ip, version: "4", "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS:port_id": s.subnetId }] },
      "OS-EXT-AZ:availability_zone": s.availabilityZone,
      "OS-EXT-STS:vm_state": "active",
      "OS-EXT-STS:power_state": 1
    }
  }
}

/** Page a list by `marker` (the last id of the previous page) and `limit`. */
export const pageByMarker = <A extends { readonly id: string }>(
  items: ReadonlyArray<A>,
  marker: string | undefined,
  limit: number | undefined
): { readonly page: ReadonlyArray<A>; readonly next: string | undefined } => {
  let start = 0
  if (marker !== undefined && marker !== "") {
    const i = items.findIndex((x) => x.id === marker)
    start = i < 0 ? items.length : i + 1
  }
  const end = limit === undefined ? items.length : Math.min(items.length, start + limit)
  const page = items.slice(start, end)
  return { page, next: end < items.length && page.length > 0 ? page[page.length - 1].id : undefined }
}

/** A CIDR inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 with a /8–/28 prefix. */
export const validCidr = (cidr: unknown): cidr is string => {
  if (typeof cidr !== "string") return false
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr)
  if (m === null) return false
  const o = m.slice(1, 5).map(Number)
  const p = Number(m[5])
  if (o.some((x) => x > 255) || p < 8 || p > 28) return false
  return o[0] === 10 || (o[0] === 172 && o[1] >= 16 && o[1] <= 31) || (o[0] === 192 && o[1] === 168)
}
