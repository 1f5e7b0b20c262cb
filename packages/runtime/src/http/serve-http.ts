// serveHttp: listens on PORT and drains on SIGTERM the way an ECS task is stopped (SIGTERM, then SIGKILL).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../config-error.js';
import { drainGraceSeconds } from '../drain-grace-seconds.js';
import { optionalEnv, requireEnv } from '../env.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Seconds kept free between the end of the grace period and ECS's SIGKILL, to close the rest and exit. */

export interface ServeHttpOptions {
  /** Port to listen on; 0 picks a free one. @default the PORT variable (required) */
  readonly port?: number;
  /** Address to listen on. @default the HOST variable ?? '0.0.0.0' */
  readonly host?: string;
  /**
   * Seconds in-flight requests get to finish after SIGTERM. It must end before ECS's SIGKILL (the task's
   * stopTimeout, 30 s by default). @default STOP_TIMEOUT_SECONDS − 5 (at least 1) when that variable is set, else 25
   */
  readonly gracePeriodSeconds?: number;
  /** Signals that start the drain. @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called with the exit code when a signal's drain is over. @default process.exit */
  readonly exit?: (code: number) => void;
  /** Where PORT, HOST and STOP_TIMEOUT_SECONDS are read. @default process.env */
  readonly env?: Env;
}

export interface HttpServer {
  /** e.g. `http://0.0.0.0:8080` */
  readonly url: string;
  /** The port listened on (the chosen one when `port` was 0). */
  readonly port: number;
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Drains as on SIGTERM without exiting: stops accepting connections, waits up to the grace period for in-flight
   * requests, closes idle keep-alive connections. Resolves 0 when everything finished, 1 when the grace period ended
   * first and the remaining connections were cut.
   */
  stop(reason?: string): Promise<number>;
}

/** Starts listening; on SIGTERM/SIGINT drains (see `HttpServer.stop`), logs each step and exits with its code. */
export async function serveHttp(app: FastifyInstance, options: ServeHttpOptions = {}): Promise<HttpServer> {
  const env = options.env ?? process.env;
  const port = options.port ?? portFromEnv(env);
  const host = options.host ?? optionalEnv('HOST', '0.0.0.0', env);
  const gracePeriodSeconds = options.gracePeriodSeconds ?? drainGraceSeconds(env);
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = app.log;

  const inFlight = new Set<ServerResponse>();
  // Requests being answered on each open connection: a connection with none is idle, whether it served requests
  // before (keep-alive) or never sent one (a pre-opened connection, which Node's closeIdleConnections leaves open).
  const connections = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    connections.set(socket, 0);
    socket.once('close', () => connections.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    inFlight.add(response);
    connections.set(socket, (connections.get(socket) ?? 0) + 1);
    response.once('close', () => {
      inFlight.delete(response);
      const active = connections.get(socket);
      if (active !== undefined) connections.set(socket, active - 1);
    });
  });

  await app.listen({ port, host });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;

  let stopping: Promise<number> | undefined;
  const stop = (reason = 'stop requested'): Promise<number> => {
    stopping ??= drain(app, reason, gracePeriodSeconds, inFlight, connections);
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, `received ${signal} again: already stopping`);
      return;
    }
    void stop(`received ${signal}`).then((code) => {
      for (const name of signals) process.off(name, onSignal);
      log.info({ exitCode: code }, `exiting with code ${code}`);
      exit(code);
    });
  };
  for (const signal of signals) process.on(signal, onSignal);

  log.info(
    { url, port: actualPort, gracePeriodSeconds },
    `serving on ${url}; on SIGTERM in-flight requests get up to ${gracePeriodSeconds} s`,
  );
  return { url, port: actualPort, inFlight: () => inFlight.size, stop };
}

async function drain(
  app: FastifyInstance,
  reason: string,
  gracePeriodSeconds: number,
  responses: ReadonlySet<ServerResponse>,
  connections: ReadonlyMap<Socket, number>,
): Promise<number> {
  const log = app.log;
  const started = Date.now();
  const inFlight = () => responses.size;
  log.warn({ inFlight: inFlight(), gracePeriodSeconds }, `${reason}: stopping`);
  // Answers still to come tell their clients not to reuse the connection, which is about to go away.
  for (const response of responses) if (!response.headersSent) response.setHeader('connection', 'close');

  // fastify's close stops the listener, then waits for open connections, then runs onClose hooks (e.g. pool.end()).
  const closed = app.close().then(
    () => 'closed' as const,
    (error: unknown) => {
      log.error({ err: error }, 'closing the server failed');
      return 'failed' as const;
    },
  );
  await until(() => !app.server.listening, 1000);
  log.info(
    { inFlight: inFlight() },
    `listener closed: new connections are refused; waiting for ${inFlight()} in-flight request(s)`,
  );

  // Node closes idle keep-alive connections once, when the listener closes, and not those that never sent a request;
  // a connection whose request finishes later would stay open until its keep-alive timeout. So every connection
  // with no request in progress is closed, now and as more become idle.
  const closeIdle = () => {
    for (const [socket, active] of connections) if (active === 0) socket.destroy();
  };
  closeIdle();
  const reaper = setInterval(closeIdle, 50);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), gracePeriodSeconds * 1000);
  });
  const outcome = await Promise.race([closed, graceOver]);
  clearTimeout(timer);
  clearInterval(reaper);

  const durationMs = Date.now() - started;
  if (outcome === 'closed') {
    log.info({ durationMs }, 'in-flight requests finished and connections closed: stopped cleanly');
    return 0;
  }
  if (outcome === 'failed') return 1;
  log.error(
    { inFlight: inFlight(), gracePeriodSeconds },
    `grace period of ${gracePeriodSeconds} s is over with ${inFlight()} request(s) in flight: closing their connections`,
  );
  app.server.closeAllConnections();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
  return 1;
}

function portFromEnv(env: Env): number {
  const raw = requireEnv('PORT', env);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError('PORT', `environment variable PORT="${raw}" must be an integer from 0 to 65535`);
  }
  return port;
}

async function until(condition: () => boolean, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}
