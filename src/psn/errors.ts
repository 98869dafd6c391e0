/**
 * Typed failures of PSN calls. Callers branch on `kind` (or `instanceof`); messages
 * name the endpoint and what PSN said, never a token, a code or an NPSSO.
 */

export type PsnErrorKind =
  | "auth"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "unavailable"
  | "malformed"
  | "bad_request";

export interface PsnErrorDetails {
  /** Our short name of the endpoint, e.g. "presence". */
  endpoint?: string;
  status?: number;
  /** PSN's numeric error code from `{"error":{"code":...}}`, when it sent one. */
  psnCode?: number;
  /** The `x-psn-request-id` we sent, to find the call in logs. */
  requestId?: string;
  cause?: unknown;
}

export abstract class PsnError extends Error {
  abstract readonly kind: PsnErrorKind;
  readonly endpoint: string | undefined;
  readonly status: number | undefined;
  readonly psnCode: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, details: PsnErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.psnCode = details.psnCode;
    this.requestId = details.requestId;
  }
}

export type PsnAuthReason =
  | "expired_token"
  | "invalid_token"
  | "invalid_refresh_token"
  | "invalid_npsso"
  | "invalid_code";

const AUTH_HINTS: Record<PsnAuthReason, string> = {
  expired_token: "the access token has expired",
  invalid_token: "the access token was refused",
  invalid_refresh_token:
    "the PSN sign-in has expired or was revoked; the member must link their account again",
  invalid_npsso: "the NPSSO was refused; sign in at playstation.com and copy a fresh NPSSO",
  invalid_code: "the authorization code was refused; start the sign-in again",
};

export class PsnAuthError extends PsnError {
  readonly kind = "auth" as const;
  readonly reason: PsnAuthReason;

  constructor(reason: PsnAuthReason, details: PsnErrorDetails = {}, message?: string) {
    super(message ?? `PSN sign-in problem: ${AUTH_HINTS[reason]}`, details);
    this.reason = reason;
  }
}

export class PsnForbiddenError extends PsnError {
  readonly kind = "forbidden" as const;
}

export class PsnNotFoundError extends PsnError {
  readonly kind = "not_found" as const;
}

/** Any other 4xx: our request was wrong in PSN's eyes; retrying it will not help. */
export class PsnBadRequestError extends PsnError {
  readonly kind = "bad_request" as const;
}

export class PsnRateLimitedError extends PsnError {
  readonly kind = "rate_limited" as const;
  readonly retryAt: Date;
  /** "server": PSN answered 429. "budget": our own per-account budget refused to wait that long. */
  readonly source: "server" | "budget";

  constructor(message: string, retryAt: Date, source: "server" | "budget", details: PsnErrorDetails = {}) {
    super(message, details);
    this.retryAt = retryAt;
    this.source = source;
  }
}

/** 5xx, network failure or timeout, after the retries ran out. */
export class PsnUnavailableError extends PsnError {
  readonly kind = "unavailable" as const;
}

/** PSN answered, but not with JSON of the shape we know. */
export class PsnMalformedError extends PsnError {
  readonly kind = "malformed" as const;
}

export function isPsnError(err: unknown): err is PsnError {
  return err instanceof PsnError;
}
