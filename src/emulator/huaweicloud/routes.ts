/**
 * The Huawei Cloud operations the emulator answers, as a route table: IAM discovery and
 * federation, VPC v1/v3 (VPCs, subnets) and ECS (servers, jobs); the emulator-only file store is
 * in `files.ts`, the table and its lookup in `table.ts`.
 * Each route names its service and operation (used by fault rules and the request log).
 *
 * @internal
 */
import type * as http from "node:http"
import { fail, type HuaweiWorld, type HwAnswer, pageByMarker, REGIONS, validCidr } from "./state.js"

/** What a route handler gets. */
export interface RouteInput {
  readonly req: http.IncomingMessage
  readonly world: HuaweiWorld
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: Buffer
  readonly requestId: string
  readonly region: string | undefined
}

export interface Route {
  readonly service: string
  readonly method: string
  readonly action: string
  /** Path pattern with `{name}` segments. */
  readonly path: string
  /** The route needs no AK/SK signature (federation, metadata). */
  readonly anonymous?: boolean
  readonly handle: (i: RouteInput) => HwAnswer
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): HwAnswer => ({ status, body, headers })

const json = (i: RouteInput): Record<string, unknown> | undefined => {
  if (i.body.length === 0) return undefined
  try {
    const v = JSON.parse(i.body.toString("utf8")) as unknown
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined

const intParam = (q: URLSearchParams, name: string): number | undefined => {
  const v = q.get(name)
  if (v === null || v === "") return undefined
  const n = Number(v)
  return Number.isInteger(n) && n >= 0 ? n : undefined
}

export const bad = (i: RouteInput, code: string, msg: string) => fail(400, code, msg, i.requestId)

const vpcNotFound = (i: RouteInput, id: string) => fail(404, "VPC.0202", `Query resource by id ${id} fail.the vpc could not be found.`, i.requestId)

// -------------------------------------------------------------------------------------------------
// IAM

const iam: ReadonlyArray<Route> = [
  {
    service: "iam", method: "GET", action: "KeystoneListProjects", path: "/v3/projects",
    handle: (i) => {
      const name = i.query.get("name")
      const regions = name === null ? REGIONS : REGIONS.filter((r) => r === name)
      return ok({
        projects: regions.map((r) => ({ id: i.world.projectId(r), name: r, domain_id: i.world.domainId, enabled: true, is_domain: false, parent_id: i.world.domainId, description: "" })),
        links: { self: "https://iam.myhuaweicloud.com/v3/projects", previous: null, next: null }
      })
    }
  },
  {
    service: "iam", method: "GET", action: "KeystoneListAuthDomains", path: "/v3/auth/domains",
    handle: (i) => ok({ domains: [{ id: i.world.domainId, name: i.world.domainName, enabled: true, description: "" }], links: { self: "https://iam.myhuaweicloud.com/v3/auth/domains" } })
  },
  {
    service: "iam", method: "GET", action: "KeystoneListRegions", path: "/v3/regions",
    handle: () => ok({ regions: REGIONS.map((r) => ({ id: r, type: "public", description: "", parent_region_id: null, locales: { "zh-cn": r, "en-us": r } })) })
  },
  {
    service: "iam", method: "POST", action: "CreateTokenWithIdToken", path: "/v3.0/OS-AUTH/id-token/tokens", anonymous: true,
    handle: (i) => {
      const idp = i.req.headers["x-idp-id"]
      const token = obj(obj(obj(json(i)?.auth)?.id_token))?.id
      return subjectToken(i, typeof idp === "string" ? idp : "", token)
    }
  },
  {
    service: "iam", method: "POST", action: "CreateUnscopedTokenWithIdToken", path: "/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/oidc/auth", anonymous: true,
    handle: (i) => subjectToken(i, i.params.idp_id, (i.req.headers.authorization ?? "").replace(/^Bearer\s+/i, ""))
  },
  {
    service: "iam", method: "POST", action: "CreateTemporaryAccessKeyByToken", path: "/v3.0/OS-CREDENTIAL/securitytokens", anonymous: true,
    handle: (i) => {
      const given = i.req.headers["x-auth-token"]
      const tok = obj(obj(obj(json(i)?.auth)?.identity)?.token)
      const id = typeof given === "string" && given !== "" ? given : typeof tok?.id === "string" ? tok.id : ""
      const expires = i.world.subjectTokens.get(id)
      if (expires === undefined || expires <= i.world.now()) return fail(401, "IAM.0001", "The token is invalid or expired.", i.requestId)
      const duration = typeof tok?.duration_seconds === "number" ? tok.duration_seconds : 900
      if (duration < 900 || duration > 86400) return bad(i, "IAM.0010", "duration_seconds must be within [900, 86400].")
      return ok(i.world.credentialDocument(i.world.issueTemporary(duration, "federated")), 201)
    }
  }
]

function subjectToken(i: RouteInput, idp: string, idToken: unknown): HwAnswer {
  if (idp === "") return bad(i, "IAM.0101", "The identity provider id (X-Idp-Id) is missing.")
  if (typeof idToken !== "string" || idToken.trim() === "" || idToken.trim() === "invalid") {
    return fail(401, "IAM.0102", "The id_token is invalid.", i.requestId)
  }
  const token = `subject-${i.world.nextId("subject")}`
  const expires = i.world.now() + 24 * 3600 * 1000
  i.world.subjectTokens.set(token, expires)
  return ok({ token: { expires_at: new Date(expires).toISOString(), methods: ["mapped"], user: { domain: { id: i.world.domainId, name: i.world.domainName } } } }, 201, { "X-Subject-Token": token })
}

// -------------------------------------------------------------------------------------------------
// VPC

const projectVpcs = (i: RouteInput) => [...i.world.vpcs.values()].filter((v) => v.projectId === i.params.project_id)

const createVpc = (i: RouteInput, v3: boolean): HwAnswer => {
  const vpc = obj(json(i)?.vpc)
  if (vpc === undefined) return bad(i, "VPC.0002", "The request body must be {\"vpc\": {...}}.")
  if (vpc.cidr !== undefined && !validCidr(vpc.cidr)) return bad(i, "VPC.0003", `Invalid cidr ${JSON.stringify(vpc.cidr)}: use 10.0.0.0/8-24, 172.16.0.0/12-24 or 192.168.0.0/16-24.`)
  const name = typeof vpc.name === "string" ? vpc.name : ""
  if (name.length > 64) return bad(i, "VPC.0004", "The name is longer than 64 characters.")
  const now = i.world.isoNow()
  const rec = {
    id: i.world.nextId("vpc"), name, cidr: typeof vpc.cidr === "string" ? vpc.cidr : "192.168.0.0/16",
    description: typeof vpc.description === "string" ? vpc.description : "", projectId: i.params.project_id, createdAt: now, updatedAt: now
  }
  i.world.vpcs.set(rec.id, rec)
  return v3 ? ok({ request_id: i.requestId, vpc: i.world.vpcV3(rec) }) : ok({ vpc: i.world.vpcV1(rec) })
}

const vpc: ReadonlyArray<Route> = [
  {
    service: "vpc", method: "GET", action: "ListVpcs", path: "/v1/{project_id}/vpcs",
    handle: (i) => {
      const id = i.query.get("id")
      const all = projectVpcs(i).filter((v) => id === null || v.id === id)
      return ok({ vpcs: pageByMarker(all, i.query.get("marker") ?? undefined, intParam(i.query, "limit")).page.map((v) => i.world.vpcV1(v)) })
    }
  },
  { service: "vpc", method: "POST", action: "CreateVpc", path: "/v1/{project_id}/vpcs", handle: (i) => createVpc(i, false) },
  {
    service: "vpc", method: "GET", action: "ShowVpc", path: "/v1/{project_id}/vpcs/{vpc_id}",
    handle: (i) => {
      const v = i.world.vpcs.get(i.params.vpc_id)
      return v === undefined || v.projectId !== i.params.project_id ? vpcNotFound(i, i.params.vpc_id) : ok({ vpc: i.world.vpcV1(v) })
    }
  },
  {
    service: "vpc", method: "PUT", action: "UpdateVpc", path: "/v1/{project_id}/vpcs/{vpc_id}",
    handle: (i) => {
      const v = i.world.vpcs.get(i.params.vpc_id)
      if (v === undefined || v.projectId !== i.params.project_id) return vpcNotFound(i, i.params.vpc_id)
      const u = obj(json(i)?.vpc) ?? {}
      if (typeof u.name === "string") v.name = u.name
      if (typeof u.description === "string") v.description = u.description
      v.updatedAt = i.world.isoNow()
      return ok({ vpc: i.world.vpcV1(v) })
    }
  },
  {
    service: "vpc", method: "DELETE", action: "DeleteVpc", path: "/v1/{project_id}/vpcs/{vpc_id}",
    handle: (i) => {
      const v = i.world.vpcs.get(i.params.vpc_id)
      if (v === undefined || v.projectId !== i.params.project_id) return vpcNotFound(i, i.params.vpc_id)
      if ([...i.world.subnets.values()].some((s) => s.vpcId === v.id)) return fail(409, "VPC.0103", "The VPC still has subnets; delete them first.", i.requestId)
      i.world.vpcs.delete(v.id)
      return { status: 204 }
    }
  },
  {
    service: "vpc", method: "GET", action: "ListSubnets", path: "/v1/{project_id}/subnets",
    handle: (i) => {
      const vpcId = i.query.get("vpc_id")
      const all = [...i.world.subnets.values()].filter((s) => s.projectId === i.params.project_id && (vpcId === null || s.vpcId === vpcId))
      return ok({ subnets: pageByMarker(all, i.query.get("marker") ?? undefined, intParam(i.query, "limit")).page.map((s) => i.world.subnetView(s)) })
    }
  },
  {
    service: "vpc", method: "POST", action: "CreateSubnet", path: "/v1/{project_id}/subnets",
    handle: (i) => {
      const s = obj(json(i)?.subnet)
      if (s === undefined) return bad(i, "VPC.0002", "The request body must be {\"subnet\": {...}}.")
      for (const k of ["name", "cidr", "gateway_ip", "vpc_id"]) {
        if (typeof s[k] !== "string" || s[k] === "") return bad(i, "VPC.0005", `subnet.${k} is required.`)
      }
      const parent = i.world.vpcs.get(s.vpc_id as string)
      if (parent === undefined || parent.projectId !== i.params.project_id) return vpcNotFound(i, s.vpc_id as string)
      if (!validCidr(s.cidr)) return bad(i, "VPC.0003", `Invalid cidr ${JSON.stringify(s.cidr)}.`)
      const rec = {
        id: i.world.nextId("subnet"), name: s.name as string, cidr: s.cidr as string, gatewayIp: s.gateway_ip as string, vpcId: parent.id,
        availabilityZone: typeof s.availability_zone === "string" ? s.availability_zone : `${i.region ?? "cn-north-4"}a`,
        projectId: i.params.project_id, createdAt: i.world.isoNow()
      }
      i.world.subnets.set(rec.id, rec)
      return ok({ subnet: i.world.subnetView(rec) })
    }
  },
  {
    service: "vpc", method: "DELETE", action: "DeleteSubnet", path: "/v1/{project_id}/vpcs/{vpc_id}/subnets/{subnet_id}",
    handle: (i) => {
      const s = i.world.subnets.get(i.params.subnet_id)
      if (s === undefined || s.vpcId !== i.params.vpc_id) return fail(404, "VPC.0302", `The subnet ${i.params.subnet_id} does not exist.`, i.requestId)
      i.world.subnets.delete(s.id)
      return { status: 204 }
    }
  },
  {
    service: "vpc", method: "GET", action: "ListVpcs", path: "/v3/{project_id}/vpc/vpcs",
    handle: (i) => {
      const ids = i.query.getAll("id")
      const all = projectVpcs(i).filter((v) => ids.length === 0 || ids.includes(v.id))
      const { page, next } = pageByMarker(all, i.query.get("marker") ?? undefined, intParam(i.query, "limit") ?? 2000)
      return ok({
        request_id: i.requestId,
        vpcs: page.map((v) => i.world.vpcV3(v)),
        page_info: { previous_marker: page[0]?.id ?? "", current_count: page.length, ...(next === undefined ? {} : { next_marker: next }) }
      })
    }
  },
  { service: "vpc", method: "POST", action: "CreateVpc", path: "/v3/{project_id}/vpc/vpcs", handle: (i) => createVpc(i, true) },
  {
    service: "vpc", method: "GET", action: "ShowVpc", path: "/v3/{project_id}/vpc/vpcs/{vpc_id}",
    handle: (i) => {
      const v = i.world.vpcs.get(i.params.vpc_id)
      return v === undefined || v.projectId !== i.params.project_id
        ? fail(404, "VPC.0202", `The VPC ${i.params.vpc_id} does not exist.`, i.requestId)
        : ok({ request_id: i.requestId, vpc: i.world.vpcV3(v) })
    }
  }
]

// -------------------------------------------------------------------------------------------------
// ECS

const ecsError = (status: number, code: string, message: string): HwAnswer => ({ status, body: { error: { code, message } }, code, message })

const createServers = (i: RouteInput): HwAnswer => {
  const s = obj(json(i)?.server)
  if (s === undefined) return ecsError(400, "Ecs.0005", "The request body must be {\"server\": {...}}.")
  for (const k of ["imageRef", "flavorRef", "name", "vpcid"]) {
    if (typeof s[k] !== "string" || s[k] === "") return ecsError(400, "Ecs.0005", `server.${k} is required.`)
  }
  const nics = Array.isArray(s.nics) ? s.nics.map(obj) : []
  const subnetId = nics[0]?.subnet_id
  if (typeof subnetId !== "string") return ecsError(400, "Ecs.0005", "server.nics[0].subnet_id is required.")
  const subnet = i.world.subnets.get(subnetId)
  if (subnet === undefined || subnet.vpcId !== s.vpcid) return ecsError(400, "Ecs.0111", `The subnet ${subnetId} is not in VPC ${String(s.vpcid)}.`)
  const count = typeof s.count === "number" ? s.count : 1
  if (!Number.isInteger(count) || count < 1 || count > 500) return ecsError(400, "Ecs.0005", "server.count must be within [1, 500].")
  const ids: Array<string> = []
  for (let n = 0; n < count; n++) {
    const id = i.world.nextId("server")
    ids.push(id)
    i.world.servers.set(id, {
      id, name: count > 1 ? `${s.name as string}-${String(n + 1).padStart(4, "0")}` : (s.name as string), flavorRef: s.flavorRef as string,
      imageRef: s.imageRef as string, vpcId: s.vpcid as string, subnetId, ip: `${subnet.cidr.split(".").slice(0, 3).join(".")}.${10 + i.world.servers.size}`,
      projectId: i.params.project_id, created: i.world.isoNow(), availabilityZone: subnet.availabilityZone
    })
  }
  const job = i.world.nextId("job")
  i.world.jobs.set(job, { type: "createServer", ids })
  return ok({ job_id: job, serverIds: ids })
}

const ecs: ReadonlyArray<Route> = [
  { service: "ecs", method: "POST", action: "CreateServers", path: "/v1/{project_id}/cloudservers", handle: createServers },
  { service: "ecs", method: "POST", action: "CreateServers", path: "/v1.1/{project_id}/cloudservers", handle: createServers },
  {
    service: "ecs", method: "GET", action: "ListServersDetails", path: "/v1/{project_id}/cloudservers/detail",
    handle: (i) => {
      const name = i.query.get("name")
      const all = [...i.world.servers.values()].filter((s) => s.projectId === i.params.project_id && (name === null || s.name.includes(name)))
      const limit = intParam(i.query, "limit") ?? 25
      const offset = Math.max(1, intParam(i.query, "offset") ?? 1)
      return ok({ count: all.length, servers: all.slice((offset - 1) * limit, offset * limit).map((s) => i.world.serverView(s)) })
    }
  },
  {
    service: "ecs", method: "GET", action: "ShowServer", path: "/v1/{project_id}/cloudservers/{server_id}",
    handle: (i) => {
      const s = i.world.servers.get(i.params.server_id)
      return s === undefined || s.projectId !== i.params.project_id
        ? ecsError(404, "Ecs.0114", `Instance[${i.params.server_id}] could not be found.`)
        : ok({ server: i.world.serverView(s) })
    }
  },
  {
    service: "ecs", method: "POST", action: "DeleteServers", path: "/v1/{project_id}/cloudservers/delete",
    handle: (i) => {
      const list = json(i)?.servers
      if (!Array.isArray(list) || list.length === 0) return ecsError(400, "Ecs.0005", "servers must list at least one {\"id\"}.")
      const ids = list.map((x) => obj(x)?.id).filter((x): x is string => typeof x === "string")
      for (const id of ids) i.world.servers.delete(id)
      const job = i.world.nextId("job")
      i.world.jobs.set(job, { type: "deleteServer", ids })
      return ok({ job_id: job })
    }
  },
  {
    service: "ecs", method: "GET", action: "ShowJob", path: "/v1/{project_id}/jobs/{job_id}",
    handle: (i) => {
      const j = i.world.jobs.get(i.params.job_id)
      if (j === undefined) return ecsError(404, "Ecs.0200", `The job ${i.params.job_id} does not exist.`)
      return ok({ job_id: i.params.job_id, job_type: j.type, status: "SUCCESS", begin_time: i.world.isoNow(), end_time: i.world.isoNow(), entities: { sub_jobs_total: j.ids.length } })
    }
  }
]

/** The IAM, VPC and ECS routes. */
export const apiRoutes: ReadonlyArray<Route> = [...iam, ...vpc, ...ecs]
