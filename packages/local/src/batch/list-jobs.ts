// ListJobs over a sequence of job records: status or filters, maxResults and an opaque nextToken.

import { BatchClientError } from './batch-client-error.js';
import { JOB_STATUSES, type JobStatus, type ListJobsInput, type ListJobsOutput } from './batch-types.js';
import { toJobSummary, type JobRecord } from './job-record.js';
import { matchesPattern } from './retry-strategy.js';

/** Place of a record in its listing, increasing along it: children by index, queue jobs newest first. */
const position = (rec: JobRecord): number => rec.index ?? -rec.seq;

function encodeToken(value: number): string {
  return Buffer.from(JSON.stringify({ after: value }), 'utf8').toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const { after } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: unknown };
    if (typeof after === 'number' && Number.isInteger(after)) return after;
  } catch {
    // Reported below.
  }
  throw new BatchClientError(`ListJobs: nextToken ${JSON.stringify(token)} is not one this endpoint returned.`);
}

function filterPredicate(name: unknown, values: unknown): (rec: JobRecord) => boolean {
  const value = Array.isArray(values) ? values[0] : undefined;
  if (typeof value !== 'string') {
    throw new BatchClientError(`ListJobs: filter ${String(name)} needs one value in values.`);
  }
  switch (name) {
    case 'JOB_NAME':
      return (rec) => matchesPattern(value, rec.shared.jobName);
    case 'JOB_DEFINITION':
      return (rec) => {
        const { definition, definitionArn } = rec.shared;
        return [definition.name, `${definition.name}:${definition.revision ?? 1}`, definitionArn].some((candidate) =>
          matchesPattern(value, candidate),
        );
      };
    case 'BEFORE_CREATED_AT':
    case 'AFTER_CREATED_AT': {
      const at = Number(value);
      if (!Number.isFinite(at)) {
        throw new BatchClientError(`ListJobs: filter ${name} value ${value} must be epoch milliseconds.`);
      }
      return name === 'BEFORE_CREATED_AT' ? (rec) => rec.shared.createdAt < at : (rec) => rec.shared.createdAt > at;
    }
    default:
      throw new BatchClientError(
        `ListJobs: filter name ${JSON.stringify(name)} is not one of JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, AFTER_CREATED_AT.`,
      );
  }
}

/** One page of `records` (already in listing order) matching `input`. */
export function listJobRecords(records: Iterable<JobRecord>, input: ListJobsInput): ListJobsOutput {
  const maxResults = input.maxResults ?? 100;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
    throw new BatchClientError(`ListJobs: maxResults ${JSON.stringify(maxResults)} must be between 1 and 1000.`);
  }
  const filters = input.filters ?? [];
  const predicates = filters.map((f) => filterPredicate(f?.name, f?.values));
  if (predicates.length === 0) {
    const status = input.jobStatus ?? 'RUNNING';
    if (!(JOB_STATUSES as readonly string[]).includes(status)) {
      throw new BatchClientError(
        `ListJobs: jobStatus ${JSON.stringify(status)} is not one of ${JOB_STATUSES.join(', ')}.`,
      );
    }
    predicates.push((rec) => rec.status === (status as JobStatus));
  }
  const after = input.nextToken ? decodeToken(input.nextToken) : undefined;
  const page: JobRecord[] = [];
  let more = false;
  for (const rec of records) {
    if (after !== undefined && position(rec) <= after) continue;
    if (!predicates.every((matches) => matches(rec))) continue;
    if (page.length === maxResults) {
      more = true;
      break;
    }
    page.push(rec);
  }
  const last = page[page.length - 1];
  return {
    jobSummaryList: page.map(toJobSummary),
    ...(more && last && { nextToken: encodeToken(position(last)) }),
  };
}
