// SQS errors as the JSON protocol returns them: a `__type`, a message, and the query-compatible code for SDK mapping.

/** An SQS error: `type` is the shape name the SDK maps to a class, `queryCode` goes in `x-amzn-query-error`. */
export class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly queryCode: string = type,
    readonly status = 400,
    readonly senderFault = true,
  ) {
    super(message);
    this.name = type;
  }
}

export const queueDoesNotExist = (name: string): SqsError =>
  new SqsError(
    'QueueDoesNotExist',
    `The specified queue ${name} does not exist.`,
    'AWS.SimpleQueueService.NonExistentQueue',
  );

export const invalidParameter = (message: string): SqsError => new SqsError('InvalidParameterValue', message);

export const missingParameter = (name: string): SqsError =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const invalidAttributeValue = (message: string): SqsError =>
  new SqsError('InvalidAttributeValue', message, 'InvalidAttributeValue');

export const receiptHandleIsInvalid = (handle: string): SqsError =>
  new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);

/** Batch-level checks shared by the *Batch operations: 1–10 entries with distinct, well-formed ids. */
export function checkBatchEntries(entries: unknown): { Id: string }[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SqsError(
      'EmptyBatchRequest',
      'There should be at least one entry in the request.',
      'AWS.SimpleQueueService.EmptyBatchRequest',
    );
  }
  if (entries.length > 10) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    );
  }
  const seen = new Set<string>();
  for (const entry of entries as { Id?: unknown }[]) {
    const id = entry?.Id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        `A batch entry id (${String(id)}) can only contain alphanumeric characters, hyphens and underscores, at most 80.`,
        'AWS.SimpleQueueService.InvalidBatchEntryId',
      );
    }
    if (seen.has(id)) {
      throw new SqsError(
        'BatchEntryIdsNotDistinct',
        `Id ${id} repeated.`,
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      );
    }
    seen.add(id);
  }
  return entries as { Id: string }[];
}
