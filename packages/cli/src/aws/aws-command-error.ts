// The typed error `hf workflow|batch … --env` throws, and the translation of AWS SDK failures into sentences.

import { CliError } from '../cli-error.js';

/** Stable codes callers can `switch` on. */
export type AwsCommandErrorCode =
  /** An argument was refused before any AWS call (array size, JSON input, dependency). */
  | 'INVALID_ARGUMENT'
  /** The workflow's or batchjob's CloudFormation stack does not exist in the account and region. */
  | 'STACK_NOT_FOUND'
  /** The stack exists but lacks an output the command needs. */
  | 'OUTPUT_MISSING'
  /** The SDK found no credentials, or AWS rejected the ones it found (expired, unknown). */
  | 'NO_CREDENTIALS'
  /** The caller's identity lacks an IAM permission. */
  | 'ACCESS_DENIED'
  /** The service refused the request (Batch ClientException, Step Functions validation errors). */
  | 'REQUEST_REJECTED'
  /** The execution or job asked for does not exist. */
  | 'NOT_FOUND'
  /** The signal was aborted before anything was started; nothing runs. */
  | 'INTERRUPTED'
  /** Any other AWS failure (throttling after the SDK's retries, a service outage). */
  | 'AWS_ERROR';

/** A failure of a workflow or batch command against AWS, with a message that says what to do. */
export class AwsCommandError extends Error {
  override readonly name = 'AwsCommandError';

  constructor(
    readonly code: AwsCommandErrorCode,
    message: string,
    /** Context for logs and callers: the stack, the output, the AWS error's name. */
    readonly details: Readonly<{ stackName?: string; output?: string; awsError?: string }> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Where a failed call happened, for the message. */
export interface AwsCallContext {
  /** The IAM action of the call, e.g. `states:StartExecution`, so a denial names the permission to grant. */
  readonly action: string;
  /** The environment given with `--env`. */
  readonly environment: string;
}

const CREDENTIALS_REJECTED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** Turns whatever an SDK call threw into an AwsCommandError; an AwsCommandError passes through unchanged. */
export function toAwsCommandError(error: unknown, context: AwsCallContext): AwsCommandError {
  if (error instanceof AwsCommandError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const { action, environment } = context;
  const fail = (code: AwsCommandErrorCode, text: string) =>
    new AwsCommandError(code, text, { awsError: name }, { cause: error });

  if (name === 'CredentialsProviderError') {
    return fail(
      'NO_CREDENTIALS',
      `no AWS credentials found for --env ${environment}: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
        'AWS_SECRET_ACCESS_KEY, or sign in with `aws sso login`',
    );
  }
  if (CREDENTIALS_REJECTED.has(name)) {
    return fail(
      'NO_CREDENTIALS',
      `AWS rejected the credentials used for --env ${environment} (${name}: ${message}); refresh them ` +
        '(`aws sso login`, or new access keys) and try again',
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return fail(
      'ACCESS_DENIED',
      `${action} was denied for --env ${environment}: ${message}; your AWS identity needs the permissions listed ` +
        'in docs/workflow-batch-aws.md',
    );
  }
  if (name === 'ClientException') return fail('REQUEST_REJECTED', `AWS Batch refused ${action}: ${message}`);
  return fail('AWS_ERROR', `${action} failed for --env ${environment}: ${name}: ${message}`);
}

/** Runs one SDK call and translates its failure, so every call site reports in the same words. */
export async function awsCall<T>(context: AwsCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAwsCommandError(error, context);
  }
}

/** The CliError `hf` prints: usage mistakes exit 2, an interruption 130, everything else 1. */
export function toCliError(error: AwsCommandError): CliError {
  const exitCode = error.code === 'INVALID_ARGUMENT' ? 2 : error.code === 'INTERRUPTED' ? 130 : 1;
  return new CliError(error.message, exitCode);
}
