// The error for a queue worker option outside its range.

/** Raised by startQueueWorker when an option is invalid; the message names the option and its allowed values. */
export class WorkerOptionError extends Error {
  override readonly name = 'WorkerOptionError';
  readonly code = 'HF_WORKER_OPTION';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`startQueueWorker: ${message}`);
  }
}
