// Turns fastify's schema validation errors (ajv) into one `{ path, message }` per problem.

import type { FastifySchemaValidationError } from 'fastify';
import type { ErrorDetail } from './http-error.js';

/** At most this many problems are listed; a body of many bad items must not produce a huge answer. */
export const MAX_ERROR_DETAILS = 20;

/**
 * `body` + `/lines/0/quantity` → `body.lines[0].quantity`. Problems about a missing or extra property name that
 * property in the path, so a caller sees `body.customerId is required` rather than `body must have property …`.
 */
export function validationDetails(
  context: string | undefined,
  errors: readonly FastifySchemaValidationError[],
): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const params = (error.params ?? {}) as Record<string, unknown>;
    let path = joinPath(context ?? 'request', error.instancePath);
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      path = joinPath(path, `/${params.missingProperty}`);
      message = 'is required';
    } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path = joinPath(path, `/${params.additionalProperty}`);
      message = 'is not an allowed field';
    } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `must be one of ${params.allowedValues.join(', ')}`;
    }
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push({ path, message });
    if (details.length === MAX_ERROR_DETAILS) break;
  }
  return details;
}

/** Appends a JSON pointer (`/lines/0/sku`) to a dotted path, writing array indexes as `[0]`. */
function joinPath(base: string, pointer: string): string {
  if (pointer === '') return base;
  let path = base;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return path;
}
