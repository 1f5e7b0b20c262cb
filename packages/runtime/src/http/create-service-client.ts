// createServiceClient: a small JSON client for a backend reached through Service Connect (BACKEND_URL, …).

import { serviceUrlVariable } from '@hello-fargate/workload';
import { ulid } from 'ulid';
import { ConfigError } from '../config-error.js';
import { requireEnv } from '../env.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { ServiceError } from './service-error.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ServiceClientOptions {
  /** Base URL of the service. @default the variable `serviceUrlVariable(name)`, e.g. BACKEND_URL (required) */
  readonly baseUrl?: string;
  /** Milliseconds a call may take, answer included. @default 5000 */
  readonly timeoutMs?: number;
  /** Where the URL variable is read. @default process.env */
  readonly env?: Env;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

export interface ServiceCallOptions {
  /** Sent as `x-request-id` so the service's log lines join the caller's. @default - a new ULID */
  readonly requestId?: string;
  /** Overrides the client's timeout for this call. @default the client's timeoutMs */
  readonly timeoutMs?: number;
  /** Extra request headers. @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborts the call, e.g. when the caller's own request is gone. @default - none */
  readonly signal?: AbortSignal;
}

export interface ServiceClient {
  /** The service's name, e.g. `backend`. */
  readonly name: string;
  /** The base URL calls go to. */
  readonly baseUrl: string;
  get<T = unknown>(path: string, options?: ServiceCallOptions): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, options?: ServiceCallOptions): Promise<T>;
  patch<T = unknown>(path: string, body?: unknown, options?: ServiceCallOptions): Promise<T>;
  /** Any method; resolves with the parsed JSON answer (undefined for an empty one), rejects with a ServiceError. */
  request<T = unknown>(method: string, path: string, body?: unknown, options?: ServiceCallOptions): Promise<T>;
}

/**
 * A JSON client for backend `name`. Calls are not retried: a POST may have taken effect, and Service Connect already
 * retries connections a replica refused. Any non-2xx answer, timeout or connection failure is a ServiceError.
 */
export function createServiceClient(name: string, options: ServiceClientOptions = {}): ServiceClient {
  const variable = serviceUrlVariable(name);
  const baseUrl = (options.baseUrl ?? requireEnv(variable, options.env ?? process.env)).replace(/\/+$/, '');
  try {
    new URL(baseUrl);
  } catch {
    throw new ConfigError(variable, `${variable}="${baseUrl}" is not a URL; expected e.g. http://${name}:8080`);
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const fetchImpl = options.fetch ?? globalThis.fetch;

  async function request<T>(method: string, path: string, body?: unknown, call: ServiceCallOptions = {}): Promise<T> {
    const requestId = call.requestId ?? ulid();
    const limitMs = call.timeoutMs ?? timeoutMs;
    const where = { service: name, method, path, requestId };
    const timeout = AbortSignal.timeout(limitMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    headers[REQUEST_ID_HEADER] = requestId;
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(`${baseUrl}${path.startsWith('/') ? path : `/${path}`}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (timeout.aborted) {
        throw new ServiceError(`${name} ${method} ${path} timed out after ${limitMs} ms`, {
          ...where,
          code: 'HF_SERVICE_TIMEOUT',
          cause: error,
        });
      }
      // fetch's own message is only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, …).
      const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error)?.message;
      throw new ServiceError(`cannot reach ${name} at ${baseUrl} for ${method} ${path}: ${reason}`, {
        ...where,
        code: 'HF_SERVICE_UNREACHABLE',
        cause: error,
      });
    }

    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      if (response.ok) {
        throw new ServiceError(`${name} ${method} ${path} answered ${response.status} with a body that is not JSON`, {
          ...where,
          code: 'HF_SERVICE_BAD_RESPONSE',
          status: response.status,
          body: text.slice(0, 1000),
          cause: error,
        });
      }
      parsed = text.slice(0, 1000);
    }
    if (response.ok) return parsed as T;

    const answer = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const said = typeof answer?.message === 'string' ? `: ${answer.code ?? 'error'}: ${answer.message}` : '';
    throw new ServiceError(`${name} ${method} ${path} answered ${response.status}${said}`, {
      ...where,
      code: 'HF_SERVICE_HTTP',
      status: response.status,
      body: parsed,
    });
  }

  return {
    name,
    baseUrl,
    get: (path, call) => request('GET', path, undefined, call),
    post: (path, body, call) => request('POST', path, body, call),
    patch: (path, body, call) => request('PATCH', path, body, call),
    request,
  };
}
