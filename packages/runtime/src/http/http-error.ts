// The error an HTTP handler throws to answer with a chosen status and a stable, machine-readable code.

/** One problem in a request, e.g. `{ path: 'body.lines[2].sku', message: 'no product with sku "X-1"' }`. */
export interface ErrorDetail {
  /** Where the problem is: `body.…`, `querystring.…`, `params.…` or `headers.…`. */
  readonly path?: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly error: {
    /** Stable snake_case code callers can switch on, e.g. `validation_failed`, `not_found`. */
    readonly code: string;
    /** One line for people. */
    readonly message: string;
    /** The request id, also in the `x-request-id` response header and on every log line of the request. */
    readonly requestId: string;
    readonly details?: readonly ErrorDetail[];
  };
}

/** Thrown by handlers: answered as `{ error: { code, message, requestId, details? } }` with `statusCode`. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: readonly ErrorDetail[],
  ) {
    super(message);
  }
}
