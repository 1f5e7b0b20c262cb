// The error for a missing or malformed part of the environment contract.

/** Raised when the environment contract is not met; the message says which variable and what to do. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'HF_CONFIG';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}
