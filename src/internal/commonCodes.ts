/**
 * The codes every API 3.0 action may return, from the official API documentation. Re-exported by
 * `Errors` (`Errors.commonCodes`, `Errors.CommonCode`); kept apart so the error module stays about
 * errors.
 *
 * @internal
 */

/** Common codes every API 3.0 action may return (from the official API documentation). */
export const commonCodes = [
  "ActionOffline",
  "AuthFailure.InvalidAuthorization",
  "AuthFailure.InvalidSecretId",
  "AuthFailure.MFAFailure",
  "AuthFailure.SecretIdNotFound",
  "AuthFailure.SignatureExpire",
  "AuthFailure.SignatureFailure",
  "AuthFailure.TokenFailure",
  "AuthFailure.UnauthorizedOperation",
  "DryRunOperation",
  "FailedOperation",
  "InternalError",
  "InvalidAction",
  "InvalidParameter",
  "InvalidParameterValue",
  "InvalidRequest",
  "IpInBlacklist",
  "IpNotInWhitelist",
  "LimitExceeded",
  "MissingParameter",
  "NoSuchProduct",
  "NoSuchVersion",
  "RequestLimitExceeded",
  "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
  "RequestLimitExceeded.IPLimitExceeded",
  "RequestLimitExceeded.UinLimitExceeded",
  "RequestSizeLimitExceeded",
  "ResourceInUse",
  "ResourceInsufficient",
  "ResourceNotFound",
  "ResourceUnavailable",
  "ResponseSizeLimitExceeded",
  "ServiceUnavailable",
  "UnauthorizedOperation",
  "UnknownParameter",
  "UnsupportedOperation",
  "UnsupportedProtocol",
  "UnsupportedRegion"
] as const

/** A code every action may return. */
export type CommonCode = (typeof commonCodes)[number]
