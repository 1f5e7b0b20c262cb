// The error thrown for a workload or system declaration that cannot be used.

/** A declaration problem, naming the workload (or workflow, job queue) and field so a person can fix it. */
export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';
  readonly code = 'HF_INVALID_DECLARATION';

  constructor(
    /** The workload the problem is in, or `system` for system-level problems; for other subjects, their name. */
    readonly workload: string,
    /** The field path, e.g. `memory` or `healthCheck.retries`. */
    readonly field: string,
    readonly problem: string,
    /** What `workload` names: `workload`, `workflow` or `job queue`. @default 'workload' */
    readonly subject: 'workload' | 'workflow' | 'job queue' = 'workload',
  ) {
    super(`${subject} "${workload}", field "${field}": ${problem}`);
  }
}
