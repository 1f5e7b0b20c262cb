// The typed error `hf deploy|diff|destroy` throw: a stable code, a message that says what to do, and its context.

/** Stable codes callers can `switch` on. */
export type DeployErrorCode =
  /** `--env` names no environment of infra/config. */
  | 'UNKNOWN_ENVIRONMENT'
  /** A workload named on the command line is not in system.ts, or has no stack of its own. */
  | 'UNKNOWN_WORKLOAD'
  /** The synthesized app has no stack for the environment. */
  | 'NO_STACKS'
  /** The CDK CLI failed (synth, asset build or publish, CloudFormation deployment, diff, destroy). */
  | 'CDK_FAILED'
  /** A pre-deploy run (migration) could not be started or followed to its end. */
  | 'MIGRATION_NOT_STARTED'
  /** A pre-deploy run (migration) ended with a non-zero exit code. */
  | 'MIGRATION_FAILED'
  /** The environment's config has terminationProtection: hf destroy refuses it. */
  | 'PROTECTED'
  /** hf destroy was not confirmed (wrong answer, or no terminal to ask on and no --yes). */
  | 'NOT_CONFIRMED';

/** A failure of a deploy, diff or destroy, with what is needed to look further. */
export class DeployError extends Error {
  override readonly name = 'DeployError';

  constructor(
    readonly code: DeployErrorCode,
    message: string,
    /** Context: the stack that failed, the migration's task, its exit code and log stream. */
    readonly details: Readonly<{
      stack?: string;
      task?: string;
      exitCode?: number;
      logStream?: string;
      taskArn?: string;
    }> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The exit code `hf` ends with for this error: usage mistakes and refusals 2, everything else 1. */
export function deployErrorExitCode(error: DeployError): number {
  switch (error.code) {
    case 'UNKNOWN_ENVIRONMENT':
    case 'UNKNOWN_WORKLOAD':
    case 'PROTECTED':
    case 'NOT_CONFIRMED':
      return 2;
    default:
      return 1;
  }
}
