// The typed error of createServiceClient: which call failed, how, and what the backend answered.

/** `http`: the service answered with an error status; the others: no usable answer came back. */
export type ServiceErrorCode =
  'HF_SERVICE_HTTP' | 'HF_SERVICE_TIMEOUT' | 'HF_SERVICE_UNREACHABLE' | 'HF_SERVICE_BAD_RESPONSE';

export interface ServiceErrorProps {
  readonly code: ServiceErrorCode;
  /** The called service's name, e.g. `backend`. */
  readonly service: string;
  readonly method: string;
  readonly path: string;
  /** The request id sent as `x-request-id`. */
  readonly requestId: string;
  /** HTTP status of the answer. @default - none: no answer */
  readonly status?: number;
  /** The parsed answer body (e.g. `{ error: { code, message, requestId } }`). @default - none */
  readonly body?: unknown;
  readonly cause?: unknown;
}

/** A failed call to another service. `status` and `body` are set when the service answered. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly code: ServiceErrorCode;
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  readonly status: number | undefined;
  readonly body: unknown;

  constructor(message: string, props: ServiceErrorProps) {
    super(message, props.cause === undefined ? undefined : { cause: props.cause });
    this.code = props.code;
    this.service = props.service;
    this.method = props.method;
    this.path = props.path;
    this.requestId = props.requestId;
    this.status = props.status;
    this.body = props.body;
  }

  /** The service's own error code (`error.code` of its answer), e.g. `not_found`; undefined when there is none. */
  get errorCode(): string | undefined {
    const error = (this.body as { error?: { code?: unknown } } | undefined)?.error;
    return typeof error?.code === 'string' ? error.code : undefined;
  }
}
