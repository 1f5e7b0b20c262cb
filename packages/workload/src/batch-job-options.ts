// The AWS Batch part of a batchjob declaration: its job queue, retry strategy and attempt timeout.

/** One evaluateOnExit rule of an AWS Batch retry strategy. */
export interface EvaluateOnExitRule {
  /** What a failed attempt matching every given condition gets: another attempt, or the job fails now. */
  readonly action: 'RETRY' | 'EXIT';
  /** Exit code pattern: digits, may end with `*` (e.g. `75`, `1*`). @default - any exit code */
  readonly onExitCode?: string;
  /** Pattern for the container's reason (e.g. `CannotPullContainerError*`). @default - any reason */
  readonly onReason?: string;
  /** Pattern for the job's status reason (e.g. `Host EC2*`, `Job attempt duration exceeded timeout`). @default - any */
  readonly onStatusReason?: string;
}

/** AWS Batch settings of a batchjob workload. */
export interface BatchJobOptions {
  /** The job queue jobs go to unless a submission names another; declared with `defineJobQueue` in the system. */
  readonly jobQueue: string;
  /** Attempts per job (per child for array jobs), 1–10. @default 1 */
  readonly attempts?: number;
  /**
   * Which failed attempts are retried (at most 5 rules). The first rule whose given conditions all match decides;
   * when none matches the attempt is retried while attempts remain. @default - none: every failure is retried
   */
  readonly evaluateOnExit?: readonly EvaluateOnExitRule[];
  /**
   * Seconds an attempt may run, counted from its start; then the container gets SIGTERM and SIGKILL 30 s later.
   * AWS requires at least 60. @default - no timeout
   */
  readonly attemptDurationSeconds?: number;
}

/** Batch settings with defaults resolved. */
export interface ResolvedBatchJobOptions {
  readonly jobQueue: string;
  readonly attempts: number;
  readonly evaluateOnExit: readonly EvaluateOnExitRule[];
  readonly attemptDurationSeconds: number | undefined;
}

const EXIT_CODE_PATTERN = /^[0-9]*\*?$/;
const REASON_PATTERN = /^[A-Za-z0-9.: ]*\*?$/;

/** Resolves and checks a batchjob's `batch` field; `fail` throws a DeclarationError for the field. */
export function resolveBatchJobOptions(
  batch: BatchJobOptions | undefined,
  kind: string,
  fail: (field: string, problem: string) => never,
): ResolvedBatchJobOptions | undefined {
  if (kind !== 'batchjob') {
    if (batch !== undefined) fail('batch', `is for batchjob workloads, not ${kind}`);
    return undefined;
  }
  if (batch === undefined) return fail('batch', 'is required for a batchjob workload (at least its jobQueue)');
  if (typeof batch.jobQueue !== 'string' || batch.jobQueue === '') {
    fail('batch.jobQueue', 'must name a job queue declared with defineJobQueue');
  }
  const attempts = batch.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
    fail('batch.attempts', `${attempts} is out of range; AWS Batch allows 1 to 10 attempts`);
  }
  const rules = batch.evaluateOnExit ?? [];
  if (rules.length > 5) fail('batch.evaluateOnExit', `has ${rules.length} rules; AWS Batch allows at most 5`);
  const evaluateOnExit = rules.map((rule, i) => {
    const field = `batch.evaluateOnExit[${i}]`;
    const action = typeof rule.action === 'string' ? rule.action.toUpperCase() : rule.action;
    if (action !== 'RETRY' && action !== 'EXIT')
      fail(`${field}.action`, `"${String(rule.action)}" is not RETRY or EXIT`);
    const checks: [keyof EvaluateOnExitRule, RegExp, string][] = [
      ['onExitCode', EXIT_CODE_PATTERN, 'digits, optionally ending with "*"'],
      ['onReason', REASON_PATTERN, 'letters, digits, ".", ":" and spaces, optionally ending with "*"'],
      ['onStatusReason', REASON_PATTERN, 'letters, digits, ".", ":" and spaces, optionally ending with "*"'],
    ];
    for (const [key, pattern, allowed] of checks) {
      const value = rule[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '' || value.length > 512 || !pattern.test(value)) {
        fail(`${field}.${key}`, `"${String(value)}" must be 1–512 characters: ${allowed}`);
      }
    }
    return Object.freeze({
      action: action as 'RETRY' | 'EXIT',
      ...(rule.onExitCode !== undefined ? { onExitCode: rule.onExitCode } : {}),
      ...(rule.onReason !== undefined ? { onReason: rule.onReason } : {}),
      ...(rule.onStatusReason !== undefined ? { onStatusReason: rule.onStatusReason } : {}),
    });
  });
  const attemptDurationSeconds = batch.attemptDurationSeconds;
  if (
    attemptDurationSeconds !== undefined &&
    (!Number.isInteger(attemptDurationSeconds) || attemptDurationSeconds < 60)
  ) {
    fail(
      'batch.attemptDurationSeconds',
      `${attemptDurationSeconds} must be a whole number of seconds, at least 60 (AWS Batch's minimum)`,
    );
  }
  return Object.freeze({ jobQueue: batch.jobQueue, attempts, evaluateOnExit, attemptDurationSeconds });
}
