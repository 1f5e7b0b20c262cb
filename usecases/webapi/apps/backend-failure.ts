// Turns a failed backend call into the answer a partner gets: the backend's client errors as they are, else 502/504.

import { HttpError, ServiceError } from '@hello-fargate/runtime';
import type { FastifyRequest } from 'fastify';

interface BackendErrorBody {
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly details?: unknown };
}

/**
 * A 4xx from the backend is about the partner's request (unknown sku, unknown cursor, no such order): it is passed on
 * with its code, message and details, whose paths (`body.lines[2].sku`) match this API's fields. Anything else is
 * the platform's failure: logged with its cause, answered with a generic message. Other errors are returned as they are.
 */
export function backendFailure(error: unknown, request: FastifyRequest): unknown {
  if (!(error instanceof ServiceError)) return error;
  const answer = (error.body as BackendErrorBody | undefined)?.error;
  if (error.status !== undefined && error.status >= 400 && error.status < 500 && typeof answer?.code === 'string') {
    const message = typeof answer.message === 'string' ? answer.message : `the orders service refused the request`;
    const details = Array.isArray(answer.details) ? answer.details : undefined;
    return new HttpError(error.status, answer.code, message, details);
  }
  request.log.error({ err: error, backendCode: error.code, backendStatus: error.status }, error.message);
  if (error.code === 'HF_SERVICE_TIMEOUT') {
    return new HttpError(
      504,
      'backend_timeout',
      'the orders service did not answer in time; a POST may still have taken effect, so check before retrying',
    );
  }
  return new HttpError(502, 'backend_unavailable', 'the orders service failed to answer; retry later');
}
