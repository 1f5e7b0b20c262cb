// fastify's per-request logging replaced by one access line per request: method, path, status, duration.

import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { answeredErrors } from './error-answers.js';

/**
 * The query string is left out of `url`: it can carry personal data (`/customers?email=…`) and logs are kept for
 * months. The error code of an error answer is on the same line, so one line tells what happened.
 */
export class AccessLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {
    // One line per request, written when it completes.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const url = request.url.split('?')[0] ?? request.url;
    const statusCode = reply.statusCode;
    const durationMs = Math.round(reply.elapsedTime * 10) / 10;
    const answered = answeredErrors.get(request);
    const fields = {
      method: request.method,
      url,
      statusCode,
      durationMs,
      ...(answered ? { error: answered.code } : {}),
      ...(error ? { err: error } : {}),
    };
    const message = `${request.method} ${url} ${statusCode} ${durationMs}ms`;
    if (error) reply.log.warn(fields, `${message}: the response was cut off`);
    else reply.log.info(fields, message);
  }
}
