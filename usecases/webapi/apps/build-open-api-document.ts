// Builds the OpenAPI 3.1 document from the routes as fastify registered them: the schemas they validate with.

import { errorBody } from './order-schemas.js';

type JsonSchema = Readonly<Record<string, unknown>>;

/** A route as seen by fastify's onRoute hook: what the document is made of. */
export interface DocumentedRoute {
  readonly method: string;
  /** fastify's path, e.g. `/orders/:id`. */
  readonly url: string;
  /** fastify's route schema plus the operation's `operationId`, `summary` and `description`. */
  readonly schema: JsonSchema | undefined;
  /** Scope the route needs; undefined for a public route. */
  readonly scope: string | undefined;
}

export interface OpenApiDocumentOptions {
  readonly routes: readonly DocumentedRoute[];
  /** @default 'Hello Fargate partner API' */
  readonly title?: string;
  /** @default '1.0.0' */
  readonly version?: string;
  /** Requests per second each client may make, for the description. @default 100 */
  readonly rateLimitPerSecond?: number;
  /** Largest request body in bytes, for the description. @default 65536 */
  readonly bodyLimit?: number;
}

const SCHEME = 'bearerAuth';

/** Scopes the API knows, with what they allow. */
const SCOPES: Readonly<Record<string, string>> = {
  'orders/read': 'read orders',
  'orders/write': 'place orders',
};

/** An OpenAPI 3.1 document (JSON Schema 2020-12 dialect, which the route schemas are written in). */
export function buildOpenApiDocument(options: OpenApiDocumentOptions): Record<string, unknown> {
  const rateLimit = options.rateLimitPerSecond ?? 100;
  const bodyLimit = options.bodyLimit ?? 65536;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of options.routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'Hello Fargate partner API',
      version: options.version ?? '1.0.0',
      description:
        'Orders for partner systems. Authenticate with a Cognito access token from the client-credentials grant ' +
        `(scopes ${Object.keys(SCOPES).join(', ')}). Money is integer cents. At most ${rateLimit} requests per ` +
        `second per client and task (429 with Retry-After beyond), bodies up to ${bodyLimit} bytes.`,
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    paths,
    components: {
      schemas: { Error: errorBody },
      securitySchemes: {
        [SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A Cognito access token (RS256, token_use "access") from POST <user pool domain>/oauth2/token with ' +
            'grant_type=client_credentials. The operation’s security requirement lists the scope it needs. Scopes: ' +
            Object.entries(SCOPES)
              .map(([scope, what]) => `${scope} (${what})`)
              .join(', '),
        },
      },
      responses: {
        BadRequest: error('The request is invalid; `details` names each bad field by path (`body.lines[0].sku`)'),
        Unauthorized: error('No valid access token (`missing_token`, `invalid_token`); see WWW-Authenticate', {
          'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer [error="invalid_token"]' },
        }),
        Forbidden: error('The token lacks the scope (`insufficient_scope`)', {
          'WWW-Authenticate': {
            schema: { type: 'string' },
            description: 'Bearer error="insufficient_scope", scope="<needed scope>"',
          },
        }),
        NotFound: error('No such order (`not_found`)'),
        PayloadTooLarge: error(`The body is over ${bodyLimit} bytes (\`body_too_large\`)`),
        UnsupportedMediaType: error('The body is not application/json (`unsupported_media_type`)'),
        Unprocessable: error('Unknown or inactive sku, or a total too large (`unknown_sku`, `inactive_sku`, …)'),
        TooManyRequests: error(`Over ${rateLimit} requests per second for this client (\`too_many_requests\`)`, {
          'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' },
        }),
        BadGateway: error('The orders service failed (`backend_unavailable`, `backend_timeout` as 504); retry later'),
      },
    },
  };
}

function operation(route: DocumentedRoute): Record<string, unknown> {
  const schema = route.schema ?? {};
  const params = schema.params as JsonSchema | undefined;
  const query = schema.querystring as JsonSchema | undefined;
  const body = schema.body as JsonSchema | undefined;
  const parameters = [...parametersOf(params, 'path'), ...parametersOf(query, 'query')];

  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, JsonSchema>)) {
    responses[status] = {
      description: status === '201' ? 'Created' : 'OK',
      ...(status === '201'
        ? { headers: { Location: { schema: { type: 'string' }, description: 'The path of the new resource' } } }
        : {}),
      content: { 'application/json': { schema: response } },
    };
  }
  const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
  if (body || params || query) responses['400'] = ref('BadRequest');
  if (route.scope) {
    responses['401'] = ref('Unauthorized');
    responses['403'] = ref('Forbidden');
    responses['429'] = ref('TooManyRequests');
  }
  if (params) responses['404'] = ref('NotFound');
  if (body) {
    responses['413'] = ref('PayloadTooLarge');
    responses['415'] = ref('UnsupportedMediaType');
    responses['422'] = ref('Unprocessable');
  }
  responses['502'] = ref('BadGateway');

  return {
    ...(schema.operationId ? { operationId: schema.operationId } : {}),
    ...(schema.summary ? { summary: schema.summary } : {}),
    ...(schema.description ? { description: schema.description } : {}),
    ...(route.scope
      ? { description: `${schema.description ?? ''}\n\nNeeds the scope \`${route.scope}\`.`.trim() }
      : {}),
    parameters,
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
    responses,
    security: route.scope ? [{ [SCHEME]: [route.scope] }] : [],
  };
}

/** One OpenAPI parameter per property of a params/querystring object schema. */
function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  if (!schema) return [];
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function error(description: string, headers?: Record<string, unknown>): Record<string, unknown> {
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}
