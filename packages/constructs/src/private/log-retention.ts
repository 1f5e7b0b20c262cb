// Maps a retention in days to the values CloudWatch Logs accepts, failing with the construct path otherwise.

import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
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
