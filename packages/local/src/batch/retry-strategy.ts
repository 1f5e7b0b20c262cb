// Retry strategies: validation with AWS Batch's limits, and the RETRY/EXIT decision for a failed attempt.

import { BatchClientError } from './batch-client-error.js';
import type { EvaluateOnExit, RetryStrategy } from './batch-types.js';

/** A checked retry strategy: actions upper-cased. */
export interface ResolvedRetryStrategy {
  readonly attempts: number;
  readonly evaluateOnExit: readonly (EvaluateOnExit & { readonly action: 'RETRY' | 'EXIT' })[];
}

/** What a failed attempt is matched against. */
export interface FailedAttempt {
  readonly exitCode: number | undefined;
  readonly reason: string | undefined;
  readonly statusReason: string;
}

const EXIT_CODE_PATTERN = /^[0-9]*\*?$/;
const REASON_PATTERN = /^[A-Za-z0-9.: ]*\*?$/;

/** Checks a retry strategy (`where` names it in messages) and resolves its defaults. */
export function resolveRetryStrategy(strategy: RetryStrategy | undefined, where: string): ResolvedRetryStrategy {
  const attempts = strategy?.attempts ?? 1;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1 || attempts > 10) {
    throw new BatchClientError(
      `${where}: retryStrategy.attempts ${String(attempts)} is out of range; AWS Batch allows 1 to 10 attempts.`,
    );
  }
  const rules = strategy?.evaluateOnExit ?? [];
  if (!Array.isArray(rules)) throw new BatchClientError(`${where}: retryStrategy.evaluateOnExit must be a list.`);
  if (rules.length > 5) {
    throw new BatchClientError(
      `${where}: retryStrategy.evaluateOnExit has ${rules.length} rules; AWS Batch allows at most 5.`,
    );
  }
  const evaluateOnExit = rules.map((rule: EvaluateOnExit, i) => {
    const field = `${where}: retryStrategy.evaluateOnExit[${i}]`;
    const action = typeof rule?.action === 'string' ? rule.action.toUpperCase() : undefined;
    if (action !== 'RETRY' && action !== 'EXIT') {
      throw new BatchClientError(`${field}.action "${String(rule?.action)}" must be RETRY or EXIT.`);
    }
    const checks = [
      ['onExitCode', EXIT_CODE_PATTERN, 'digits, optionally ending with "*"'],
      ['onReason', REASON_PATTERN, 'letters, digits, ".", ":" and spaces, optionally ending with "*"'],
      ['onStatusReason', REASON_PATTERN, 'letters, digits, ".", ":" and spaces, optionally ending with "*"'],
    ] as const;
    for (const [key, pattern, allowed] of checks) {
      const value = rule[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || value === '' || value.length > 512 || !pattern.test(value)) {
        throw new BatchClientError(`${field}.${key} "${String(value)}" must be 1–512 characters: ${allowed}.`);
      }
    }
    return { ...rule, action: action as 'RETRY' | 'EXIT' };
  });
  return { attempts, evaluateOnExit };
}

/** AWS's pattern match: exact, or a prefix when the pattern ends with `*` (`*` alone matches anything). */
export function matchesPattern(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

/**
 * RETRY or EXIT for a failed attempt: the first rule whose given conditions all match decides; none matching means
 * RETRY. Whether attempts remain is the caller's check.
 */
export function decideOnExit(strategy: ResolvedRetryStrategy, attempt: FailedAttempt): 'RETRY' | 'EXIT' {
  for (const rule of strategy.evaluateOnExit) {
    const exitCode = attempt.exitCode === undefined ? undefined : String(attempt.exitCode);
    if (rule.onExitCode !== undefined && !matchesPattern(rule.onExitCode, exitCode)) continue;
    if (rule.onReason !== undefined && !matchesPattern(rule.onReason, attempt.reason)) continue;
    if (rule.onStatusReason !== undefined && !matchesPattern(rule.onStatusReason, attempt.statusReason)) continue;
    return rule.action;
  }
  return 'RETRY';
}
