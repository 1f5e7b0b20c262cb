// The error every rejected Batch request raises: AWS Batch's ClientException (HTTP 400) with a message that says why.

/** A request AWS Batch would refuse with `ClientException`; `message` names what was wrong and what to do. */
export class BatchClientError extends Error {
  /** The AWS error type, sent as `x-amzn-errortype` by the REST endpoint. */
  readonly code = 'ClientException';
  /** HTTP status of the REST answer. */
  readonly status = 400;

  constructor(message: string) {
    super(message);
    this.name = 'BatchClientError';
  }
}
