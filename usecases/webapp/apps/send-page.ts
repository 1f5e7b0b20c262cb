// Sends an HTML document with its status; pages carry personal data, so no shared cache may keep them.

import type { FastifyReply } from 'fastify';

export function sendPage(reply: FastifyReply, status: number, document: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(document);
}
