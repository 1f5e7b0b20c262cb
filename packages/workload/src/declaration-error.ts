// The error thrown for a workload or system declaration that cannot be used.

/** A declaration problem, naming the workload and field so a person can fix it. */
export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';
  readonly code = 'HF_INVALID_DECLARATION';

  constructor(
    /** The workload the problem is in, or `system` for system-level problems. */
    readonly workload: string,
    /** The field path, e.g. `memory` or `healthCheck.retries`. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`workload "${workload}", field "${field}": ${problem}`);
  }
}
