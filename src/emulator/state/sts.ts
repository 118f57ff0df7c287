/**
 * STS state: AssumeRole, GetFederationToken and AssumeRoleWithWebIdentity issue temporary
 * credentials (SecretId, SecretKey, Token) that the emulator's signature check then accepts, with
 * the token, until they expire. A web identity token that is a JWT must be within its `exp`/`nbf`;
 * the emulator's `webIdentity` option decides the rest.
 *
 * @internal
 */
import { ApiFailure, type Handler, intParam, iso, type World } from "./world.js"

/** A temporary credential issued by the emulator. */
export interface TemporaryCredential {
  readonly secretId: string
  readonly secretKey: string
  readonly token: string
  /** Expiry, ms since the epoch. */
  readonly expiresAt: number
  readonly action: string
  /** The role or federated name it was issued for. */
  readonly subject: string
}

export interface StsStore {
  readonly issued: Map<string, TemporaryCredential>
}

export const stsStore = (world: World): StsStore => world.store("sts", "", () => ({ issued: new Map() }))

/** Decides whether a web identity token is accepted (default: any non-empty token). */
export type WebIdentityCheck = (token: string, request: { readonly providerId: string; readonly roleArn: string }) => boolean

const ROLE_ARN = /^qcs::cam::uin\/\d+:role(Name)?\/[\w+=,.@-]{1,128}$/
const SESSION = /^[\w+=,.@-]{2,128}$/

/**
 * Issue a temporary credential that the emulator then accepts (with its token) until it expires.
 * Used by STS and by the metadata server's instance role.
 */
export const issueTemporary = (world: World, now: number, action: string, subject: string, seconds: number): TemporaryCredential => {
  const store = stsStore(world)
  // drop expired ones so the map stays small
  for (const [k, c] of store.issued) if (c.expiresAt <= now) store.issued.delete(k)
  const cred: TemporaryCredential = {
    secretId: "AKID" + world.text(32),
    secretKey: world.text(32),
    token: world.text(24) + "_" + world.text(96, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
    expiresAt: Math.floor(now / 1000) * 1000 + seconds * 1000,
    action,
    subject
  }
  store.issued.set(cred.secretId, cred)
  return cred
}

/**
 * Why a web identity token is refused on its face, or `undefined`: a token that is a JWT
 * (`header.payload.signature`, base64url, a JSON object as payload) must not have expired (`exp`,
 * emulator clock) nor be used before `nbf`. Other tokens are left to the configured check.
 */
export const webIdentityProblem = (token: string, now: number): string | undefined => {
  const parts = token.split(".")
  if (parts.length !== 3) return undefined
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"))
  } catch {
    return undefined // not a JWT after all: the configured check decides
  }
  if (claims === null || typeof claims !== "object") return undefined
  const { exp, nbf } = claims as { exp?: unknown; nbf?: unknown }
  if (typeof exp === "number" && exp * 1000 <= now) return `The web identity token expired at ${iso(exp * 1000)}.`
  if (typeof nbf === "number" && nbf * 1000 > now) return `The web identity token is not valid before ${iso(nbf * 1000)}.`
  return undefined
}

export const makeHandlers = (world: World, webIdentity: WebIdentityCheck): Record<string, Handler> => {
  const issue = (ctx: { readonly now: number; readonly action: string }, subject: string, seconds: number) => {
    const cred = issueTemporary(world, ctx.now, ctx.action, subject, seconds)
    const expired = Math.floor(cred.expiresAt / 1000)
    return {
      Credentials: { Token: cred.token, TmpSecretId: cred.secretId, TmpSecretKey: cred.secretKey },
      ExpiredTime: expired,
      Expiration: iso(cred.expiresAt)
    }
  }

  const duration = (v: unknown, dflt: number, max: number): number | ApiFailure => {
    const d = intParam(v, dflt)
    if (typeof d !== "number" || d < 1 || d > max) {
      return new ApiFailure("InvalidParameter.OverTimeError", `The parameter \`DurationSeconds\` must be between 1 and ${max}; got ${String(v)}.`)
    }
    return d
  }

  const roleChecks = (p: Readonly<Record<string, any>>): ApiFailure | undefined => {
    if (typeof p.RoleArn !== "string" || !ROLE_ARN.test(p.RoleArn)) {
      return new ApiFailure("InvalidParameter.ParamError", `The parameter \`RoleArn\` is malformed: expected qcs::cam::uin/<uin>:roleName/<name>, got ${JSON.stringify(p.RoleArn)}.`)
    }
    if (typeof p.RoleSessionName !== "string" || !SESSION.test(p.RoleSessionName)) {
      return new ApiFailure("InvalidParameter.ParamError", "The parameter `RoleSessionName` must be 2 to 128 characters of letters, digits and +=,.@-_.")
    }
    return undefined
  }

  return {
    AssumeRole(ctx) {
      const bad = roleChecks(ctx.params)
      if (bad !== undefined) return bad
      const d = duration(ctx.params.DurationSeconds, 7200, 43200)
      if (d instanceof ApiFailure) return d
      return issue(ctx, ctx.params.RoleArn, d)
    },

    GetFederationToken(ctx) {
      const p = ctx.params
      if (typeof p.Name !== "string" || !/^[\w+=,.@-]{2,32}$/.test(p.Name)) {
        return new ApiFailure("InvalidParameter.ParamError", "The parameter `Name` must be 2 to 32 characters of letters, digits and +=,.@-_.")
      }
      if (typeof p.Policy !== "string" || p.Policy.length === 0) {
        return new ApiFailure("InvalidParameter.StrategyFormatError", "The parameter `Policy` must be a policy document (JSON, URL-encoded).")
      }
      const d = duration(p.DurationSeconds, 1800, 7200)
      if (d instanceof ApiFailure) return d
      return issue(ctx, `federated:${p.Name}`, d)
    },

    AssumeRoleWithWebIdentity(ctx) {
      const p = ctx.params
      const bad = roleChecks(p)
      if (bad !== undefined) return bad
      if (typeof p.ProviderId !== "string" || p.ProviderId === "") {
        return new ApiFailure("InvalidParameter.ParamError", "The parameter `ProviderId` must name the OIDC identity provider.")
      }
      if (typeof p.WebIdentityToken !== "string" || p.WebIdentityToken === "") {
        return new ApiFailure("InvalidParameter.WebIdentityTokenError", "The web identity token is empty.")
      }
      const problem = webIdentityProblem(p.WebIdentityToken, ctx.now)
      if (problem !== undefined) return new ApiFailure("InvalidParameter.WebIdentityTokenError", problem)
      if (!webIdentity(p.WebIdentityToken, { providerId: p.ProviderId, roleArn: p.RoleArn })) {
        return new ApiFailure("InvalidParameter.WebIdentityTokenError", "The web identity token was not accepted.")
      }
      const d = duration(p.DurationSeconds, 7200, 43200)
      if (d instanceof ApiFailure) return d
      return issue(ctx, p.RoleArn, d)
    }
  }
}
