// The error handler and 404 handler of createHttpApp: every error becomes `{ error: { code, message, requestId } }`.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorBody, type ErrorDetail, HttpError } from './http-error.js';
import { validationDetails } from './validation-details.js';

/** The code and message of a request's error answer, for its access log line. */
export const answeredErrors = new WeakMap<FastifyRequest, { code: string; message: string }>();

// fastify's own client errors, with the codes our callers switch on.
const FRAMEWORK_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
};

const STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

/** setErrorHandler: validation → 400 with each problem, client errors as they are, anything else → generic 500. */
export function answerError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof HttpError) {
    if (error.statusCode >= 500) request.log.warn({ code: error.code }, error.message);
    send(request, reply, error.statusCode, error.code, error.message, error.details);
    return;
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const details = validationDetails(fastifyError.validationContext, fastifyError.validation);
    const listed = details.map((detail) => `${detail.path} ${detail.message}`).join('; ');
    send(request, reply, 400, 'validation_failed', `the request is invalid: ${listed}`, details);
    return;
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = FRAMEWORK_CODES[fastifyError.code] ?? STATUS_CODES[status] ?? 'client_error';
    send(request, reply, status, code, fastifyError.message);
    return;
  }
  // Unexpected: the message may hold internals (SQL, hosts, paths), so it goes to the log with the stack only.
  request.log.error({ err: error }, `unexpected error: ${error.message}`);
  send(
    request,
    reply,
    500,
    'internal_error',
    'the server failed to answer this request; the requestId identifies it in the logs',
  );
}

/** setNotFoundHandler: no route for this method and path. */
export function answerNotFound(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0];
  send(request, reply, 404, 'not_found', `no route ${request.method} ${path}`);
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: readonly ErrorDetail[],
): void {
  answeredErrors.set(request, { code, message });
  const body: ErrorBody = {
    error: { code, message, requestId: request.id, ...(details && details.length > 0 ? { details } : {}) },
  };
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}
