/**
 * Canned DescribeInstances answers built from the CVM spec (`Instance` and the objects it holds),
 * with realistic values: every member the spec lists, deterministic, so the 1- and 100-instance
 * bodies are about 2 KB and 200 KB.
 */
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as path from "node:path"

interface Member {
  readonly name: string
  readonly type: string
  readonly member: string
}
interface Spec {
  readonly objects: Record<string, { readonly members: ReadonlyArray<Member> }>
}

/** The CVM spec: `$TENCENTCLOUD_API_SPECS`, else `../shared/tencentcloud-api` beside the checkout. */
export const specPath = (): string => {
  const rel = "cvm/v20170312/api.json"
  if (process.env.TENCENTCLOUD_API_SPECS) return path.join(process.env.TENCENTCLOUD_API_SPECS, rel)
  const here = path.dirname(fileURLToPath(import.meta.url))
  const candidates = [path.resolve(here, "../../shared/tencentcloud-api"), path.resolve(here, "../../../shared/tencentcloud-api"), path.resolve(process.cwd(), "../shared/tencentcloud-api")]
  return path.join(candidates.find((c) => existsSync(path.join(c, rel))) ?? candidates[0], rel)
}

const hex = (seed: number, n: number): string => {
  let s = ""
  let x = (seed * 2654435761) >>> 0
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    s += "0123456789abcdefghijklmnopqrstuvwxyz"[(x >>> 16) % 36]
  }
  return s
}

const ids: Record<string, string> = {
  InstanceId: "ins",
  ImageId: "img",
  VpcId: "vpc",
  SubnetId: "subnet",
  DiskId: "disk",
  KeyId: "skey",
  SecurityGroupIds: "sg",
  KeyIds: "skey",
  DedicatedClusterId: "cluster",
  HpcClusterId: "hpc",
  RdmaIpAddresses: "",
  CdhInstanceId: "cdh",
  DisasterRecoverGroupId: "ps",
  LaunchTemplateId: "lt",
  ProjectId: ""
}

const stringValue = (name: string, member: string, i: number): string => {
  if (member === "datetime_iso") return `2024-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:1${i % 6}:2${i % 10}Z`
  if (ids[name] !== undefined && ids[name] !== "") return `${ids[name]}-${hex(i + name.length, 8)}`
  if (name === "RenewFlag") return "NOTIFY_AND_MANUAL_RENEW"
  if (/IpAddress/.test(name)) return `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`
  if (/Zone$/.test(name)) return "ap-guangzhou-3"
  if (/State$|Status$/.test(name)) return name === "InstanceState" ? "RUNNING" : "NORMAL"
  if (/ChargeType$/.test(name)) return "POSTPAID_BY_HOUR"
  if (/Type$/.test(name)) return name === "InstanceType" ? "S5.MEDIUM4" : "CLOUD_PREMIUM"
  if (name === "OsName") return "TencentOS Server 3.1 (TK4)"
  if (name === "InstanceName") return `web-server-${i}`
  if (name === "Uuid") return `${hex(i, 8)}-${hex(i + 1, 4)}-${hex(i + 2, 4)}-${hex(i + 3, 4)}-${hex(i + 4, 12)}`
  if (name === "Key") return "env"
  if (name === "Value") return "production"
  return hex(i + name.length, 10)
}

const valueOf = (spec: Spec, m: Member, i: number, depth: number): unknown => {
  switch (m.type) {
    case "string":
      return stringValue(m.name, m.member, i)
    case "int":
      return m.name === "CPU" ? 4 : m.name === "Memory" ? 16 : m.name.endsWith("Size") ? 50 : m.name === "ProjectId" ? 0 : (i * 37) % 1000
    case "float":
      return 1.5
    case "bool":
      return i % 2 === 0
    case "object":
      return objectOf(spec, m.member, i, depth + 1)
    case "list": {
      const el: Member = { name: m.name, type: spec.objects[m.member] ? "object" : m.member === "bool" ? "bool" : /int/.test(m.member) ? "int" : m.member === "float" ? "float" : "string", member: m.member }
      return [valueOf(spec, el, i, depth)]
    }
    default:
      return null
  }
}

const objectOf = (spec: Spec, name: string, i: number, depth: number): Record<string, unknown> => {
  const o: Record<string, unknown> = {}
  if (depth > 4) return o
  for (const m of spec.objects[name].members) o[m.name] = valueOf(spec, m, i, depth)
  return o
}

/** The `Response` body text of DescribeInstances with `n` instances. */
export const describeInstancesBody = (n: number, specFile = specPath()): string => {
  const spec = JSON.parse(readFileSync(specFile, "utf8")) as Spec
  const InstanceSet: Array<unknown> = []
  for (let i = 0; i < n; i++) InstanceSet.push(objectOf(spec, "Instance", i + 1, 0))
  return JSON.stringify({ Response: { TotalCount: n, InstanceSet, RequestId: "6ef60bec-0242-43af-bb20-270359fb54a7" } })
}
