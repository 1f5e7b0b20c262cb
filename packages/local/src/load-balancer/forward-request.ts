// Streams one request to a target and its response back, mapping target failures to ALB's 502 and 504.

import { type Agent, type IncomingMessage, type OutgoingHttpHeaders, request, type ServerResponse } from 'node:http';
import { withoutHopByHop } from './forwarded-headers.js';
import { sendError } from './send-error.js';

export interface ForwardOptions {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly targetUrl: string;
  readonly headers: OutgoingHttpHeaders;
  /** Keep-alive agent shared by all requests of the load balancer. */
  readonly agent: Agent;
  /** A connection idle this long (no bytes either way) fails: 504 before the response started, else it is cut. */
  readonly idleTimeoutMs: number;
  /** Called once when the exchange is over, however it ended. */
  readonly onDone: () => void;
}

class IdleTimeoutError extends Error {
  override readonly name = 'IdleTimeoutError';
}

export function forwardRequest({ req, res, targetUrl, headers, agent, idleTimeoutMs, onDone }: ForwardOptions): void {
  const target = new URL(targetUrl);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    onDone();
  };
  const upstream = request({
    host: target.hostname,
    port: target.port,
    method: req.method,
    path: req.url,
    headers,
    agent,
  });
  upstream.setTimeout(idleTimeoutMs, () =>
    upstream.destroy(new IdleTimeoutError(`no bytes from the target for ${idleTimeoutMs / 1000}s`)),
  );
  upstream.on('response', (answer: IncomingMessage) => {
    const responseHeaders = withoutHopByHop(answer.headers);
    delete responseHeaders['transfer-encoding'];
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders);
    answer.pipe(res);
    answer.on('error', () => res.destroy());
    answer.on('aborted', () => res.destroy());
  });
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    if (res.headersSent) {
      res.destroy();
    } else if (error instanceof IdleTimeoutError) {
      sendError(res, 504, `Target ${targetUrl} did not answer within the idle timeout: ${error.message}.`);
    } else {
      sendError(
        res,
        502,
        `Target ${targetUrl} failed before answering (${error.code ?? error.message}); is the replica running?`,
      );
    }
    req.resume();
    finish();
  });
  res.on('close', () => {
    // The client left (or the answer is complete): stop the upstream exchange unless it already finished cleanly.
    if (!res.writableFinished) upstream.destroy();
    finish();
  });
  req.pipe(upstream);
}
