// ALB jwt-validation: RS256 bearer token checked against the JWKS, iss, exp, nbf/iat when present, extra claims.

import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwtAdditionalClaim, JwtValidationAction } from './load-balancer-options.js';
import { remoteJwks } from './remote-jwks.js';

/**
 * Clock skew allowed on exp, nbf and iat. ALB does not publish its value; 30 s absorbs clock drift between
 * hosts without keeping an expired token useful for long.
 */
export const JWT_CLOCK_TOLERANCE_SECONDS = 30;

export interface JwtRejection {
  readonly status: 401;
  /** `Bearer` when no bearer token was sent, else `Bearer error="invalid_token"` (RFC 6750). */
  readonly wwwAuthenticate: string;
  readonly message: string;
}

export type JwtValidator = (authorization: string | undefined) => Promise<JwtRejection | undefined>;

function reject(message: string, missing = false): JwtRejection {
  return { status: 401, wwwAuthenticate: missing ? 'Bearer' : 'Bearer error="invalid_token"', message };
}

function claimProblem(payload: JWTPayload, claim: JwtAdditionalClaim): string | undefined {
  const value = payload[claim.name];
  if (value === undefined) return `claim '${claim.name}' is missing`;
  let held: string[];
  if (claim.format === 'single-string') {
    if (typeof value !== 'string') return `claim '${claim.name}' is not a string`;
    held = [value];
  } else if (claim.format === 'string-array') {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      return `claim '${claim.name}' is not an array of strings`;
    }
    held = value as string[];
  } else {
    if (typeof value !== 'string') return `claim '${claim.name}' is not a space-separated string`;
    held = value.split(' ').filter(Boolean);
  }
  // *unverified*: ALB does not document whether several configured values mean any-of or all-of; any-of is pinned
  // by a test (it is what aws-jwt-verify does for scopes).
  if (!claim.values.some((wanted) => held.includes(wanted))) {
    return `claim '${claim.name}' holds none of ${JSON.stringify(claim.values)}`;
  }
  return undefined;
}

export function createJwtValidator(action: JwtValidationAction, getKey?: JWTVerifyGetKey): JwtValidator {
  const keys = getKey ?? remoteJwks(action.jwksEndpoint);
  const additionalClaims = action.additionalClaims ?? [];
  return async (authorization) => {
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization ?? '');
    if (!match) return reject('Send the token as "Authorization: Bearer <token>".', true);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1] as string, keys, {
        issuer: action.issuer,
        algorithms: ['RS256'],
        clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iss'],
      }));
    } catch (error) {
      const detail = error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : String(error);
      return reject(`Bearer token rejected (${detail}).`);
    }
    // jose checks iat only against a maximum age; ALB rejects a token issued in the future.
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + JWT_CLOCK_TOLERANCE_SECONDS) {
      return reject('Bearer token rejected ("iat" claim is in the future).');
    }
    for (const claim of additionalClaims) {
      const problem = claimProblem(payload, claim);
      if (problem) return reject(`Bearer token rejected (${problem}).`);
    }
    return undefined;
  };
}
