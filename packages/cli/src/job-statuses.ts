// AWS Batch job statuses in lifecycle order, shared by the local and the AWS `hf batch` commands.

import type { JobStatus } from '@aws-sdk/client-batch';

/** Every job status, in lifecycle order; ListJobs without a status returns only RUNNING jobs. */
export const JOB_STATUSES: readonly JobStatus[] = [
  'SUBMITTED',
  'PENDING',
  'RUNNABLE',
  'STARTING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
];
