/**
 * Where the secret key comes from.
 *
 * `Credentials` is a service with one method, `get`, which yields a {@link Credential}. Layers:
 * static, environment, profile file, default chain, and a caching wrapper for expiring
 * (temporary) credentials that refreshes before expiry with a single request in flight.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type { CredentialsError } from "./Errors.js"

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
}

/** The `Credentials` service tag. */
export class Credentials extends Context.Tag("effect-tencentcloud/Credentials")<Credentials, CredentialsService>() {}
