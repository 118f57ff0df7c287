/**
 * The `Credentials` service: its tag, the shape of a credential, and the small helpers every
 * provider shares. Kept apart from the public `Credentials` module so that the providers in
 * `internal/credentials/` can use the tag without importing the module that re-exports them.
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { CredentialsError } from "../../Errors.js"

/** A key pair, with the token of temporary credentials. Secrets are `Redacted`. */
export interface Credential {
  readonly secretId: string
  readonly secretKey: Redacted.Redacted<string>
  readonly token?: Redacted.Redacted<string> | undefined
  /** When temporary credentials stop working (epoch milliseconds). */
  readonly expiresAt?: number | undefined
}

/** The service shape: fetch the current credential. */
export interface CredentialsService {
  readonly get: Effect.Effect<Credential, CredentialsError>
  /**
   * The credential `get` would give at `nowMillis` when it is at hand without waiting (a static
   * credential, a fresh cached one), else `undefined`. The engine's fast path uses it; a
   * provider without it is always asked through `get`.
   */
  readonly peek?: ((nowMillis: number) => Credential | undefined) | undefined
}

/** The `Credentials` service tag. */
export class Credentials extends /*#__PURE__*/ Context.Tag("effect-tencentcloud/Credentials")<Credentials, CredentialsService>() {}

/** Anything that yields a credential: a service, or the effect behind its `get`. */
export type Source = CredentialsService | Effect.Effect<Credential, CredentialsError>

/** The effect behind a source. */
export const toEffect = (source: Source): Effect.Effect<Credential, CredentialsError> =>
  Effect.isEffect(source) ? source : source.get

/** An ISO time for messages (or the number when it is not a valid time). */
export const isoTime = (ms: number): string => {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString()
}
