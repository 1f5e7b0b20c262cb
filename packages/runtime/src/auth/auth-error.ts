// The error an app answers with 401 or 403: a stable code, a message for the caller, never the token itself.

export type AuthErrorCode =
  'missing_token' | 'invalid_token' | 'insufficient_scope' | 'missing_identity' | 'invalid_identity';

export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** 403 when the caller is known but lacks a scope, 401 otherwise. */
  get status(): 401 | 403 {
    return this.code === 'insufficient_scope' ? 403 : 401;
  }
}
