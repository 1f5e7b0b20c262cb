// Answers a request the load balancer itself rejects, with a JSON body that says why (ALB sends a bare HTML page).

import { type OutgoingHttpHeaders, type ServerResponse, STATUS_CODES } from 'node:http';

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ status, message });
  // 561 is ALB's own code for an IdP that answered with an error.
  res.writeHead(status, status === 561 ? 'Unauthorized' : (STATUS_CODES[status] ?? 'Error'), {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    server: 'awselb/2.0',
  });
  res.end(body);
}
