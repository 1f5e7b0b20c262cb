// Maps a retention in days to the values CloudWatch Logs accepts, failing with the construct path otherwise; and the
// default log group the workload constructs create from `encryptionKey` and `logRetentionDays`.

import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct, IConstruct } from 'constructs';
import { ConstructValidationError } from '../construct-validation-error.js';

const ALLOWED_DAYS = Object.values(logs.RetentionDays).filter(
  (v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE,
);

/** The RetentionDays for `days`; a ConstructValidationError naming `field` when CloudWatch Logs has no such value. */
export function retentionDays(scope: IConstruct, field: string, days: number): logs.RetentionDays {
  if (!ALLOWED_DAYS.includes(days)) {
    throw new ConstructValidationError(
      scope,
      `${field} is ${days}; CloudWatch Logs accepts ${[...ALLOWED_DAYS].sort((a, b) => a - b).join(', ')}`,
    );
  }
  return days as logs.RetentionDays;
}

/**
 * A new log group `id` under `scope`, encrypted with `encryptionKey` and kept `logRetentionDays` (default 30): the
 * default of the workload constructs' `logGroup` (and WebApi's `apiAccessLogGroup`).
 */
export function createLogGroup(
  scope: Construct,
  id: string,
  props: { readonly encryptionKey?: kms.IKey; readonly logRetentionDays?: number },
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    encryptionKey: props.encryptionKey,
    retention: retentionDays(scope, 'logRetentionDays', props.logRetentionDays ?? 30),
  });
}
