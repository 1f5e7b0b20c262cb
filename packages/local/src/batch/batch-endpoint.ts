// A local AWS Batch endpoint speaking the REST-JSON API the AWS SDK and CLI use, in front of a LocalBatch.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchClientError } from './batch-client-error.js';
import type { GraphJobInput, ListJobsInput, SubmitJobInput } from './batch-types.js';
import type { LocalBatch } from './local-batch.js';

export interface BatchEndpointOptions {
  readonly batch: LocalBatch;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Largest request body accepted; larger ones get 413. @default 262144 (256 KiB) */
  readonly maxBodyBytes?: number;
}

export interface BatchEndpoint {
  /** Origin, e.g. `http://127.0.0.1:4566`: the SDK's `endpoint`, or AWS_ENDPOINT_URL_BATCH. */
  readonly url: string;
  close(): Promise<void>;
}

type Body = Record<string, unknown>;

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;

/** The operations by path, each mapping the request body to the response body. */
function routes(batch: LocalBatch): Record<string, (body: Body) => unknown> {
  return {
    '/v1/submitjob': (body) => batch.submitJob(body as unknown as SubmitJobInput),
    '/v1/describejobs': (body) => ({ jobs: batch.describeJobs(strings(body.jobs) ?? []) }),
    '/v1/listjobs': (body) => batch.listJobs(body as ListJobsInput),
    '/v1/terminatejob': (body) => {
      batch.terminateJob(String(body.jobId), body.reason as string);
      return {};
    },
    '/v1/canceljob': (body) => {
      batch.cancelJob(String(body.jobId), body.reason as string);
      return {};
    },
    // Not an AWS operation: a set of jobs depending on each other by name, checked as a whole (no cycles) first.
    '/v1/local/submitjobgraph': (body) => {
      if (!Array.isArray(body.jobs))
        throw new BatchClientError('SubmitJobGraph needs jobs: a list of SubmitJob inputs.');
      return { jobs: batch.submitJobGraph(body.jobs as GraphJobInput[]) };
    },
    '/v1/describejobqueues': (body) => ({ jobQueues: batch.catalog.describeJobQueues(strings(body.jobQueues)) }),
    '/v1/describejobdefinitions': (body) => ({
      jobDefinitions: batch.catalog.describeJobDefinitions({
        jobDefinitions: strings(body.jobDefinitions),
        jobDefinitionName: typeof body.jobDefinitionName === 'string' ? body.jobDefinitionName : undefined,
        status: typeof body.status === 'string' ? body.status : undefined,
      }),
    }),
  };
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge(`Request body is larger than ${limit} bytes; AWS Batch requests are small.`));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof BatchClientError) {
    send(res, error.status, { message: error.message }, { 'x-amzn-errortype': error.code });
  } else if (error instanceof BodyTooLarge) {
    send(res, 413, { message: error.message }, { 'x-amzn-errortype': 'ClientException', connection: 'close' });
  } else {
    const message = `Local Batch endpoint failed: ${error instanceof Error ? error.message : String(error)}`;
    send(res, 500, { message }, { 'x-amzn-errortype': 'ServerException' });
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  table: Record<string, (body: Body) => unknown>,
  limit: number,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] as string;
  const operation = Object.hasOwn(table, path) ? table[path] : undefined;
  const text = await readBody(req, limit);
  if (!operation || req.method !== 'POST') {
    send(
      res,
      404,
      {
        message: `Local Batch endpoint: no operation at ${req.method} ${path}; supported: POST ${Object.keys(table).join(', ')}.`,
      },
      { 'x-amzn-errortype': 'UnknownOperationException' },
    );
    return;
  }
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new BatchClientError(`Request body of ${path} is not valid JSON.`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BatchClientError(`Request body of ${path} must be a JSON object.`);
  }
  send(res, 200, operation(body as Body));
}

/** Serves `batch` on host:port until `close`. */
export async function startBatchEndpoint(options: BatchEndpointOptions): Promise<BatchEndpoint> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const limit = options.maxBodyBytes ?? 256 * 1024;
  const table = routes(options.batch);
  const server = createServer((req, res) => {
    handle(req, res, table, limit).catch((error: unknown) => sendError(res, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`Local Batch endpoint could not listen on ${host}:${port}: ${error.message}`)),
    );
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
