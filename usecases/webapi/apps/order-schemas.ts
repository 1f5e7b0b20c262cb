// The JSON schemas of the partner API: what the routes validate with and what /openapi.json publishes (one source).

/** Most lines an order may have (the backend's limit). */
export const MAX_ORDER_LINES = 50;
/** Most orders one page may hold (the backend's limit). */
export const MAX_PAGE_SIZE = 100;
/** Orders per page when `limit` is not given. */
export const DEFAULT_PAGE_SIZE = 20;

/** A UUID as PostgreSQL prints it. */
export const uuid = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
} as const;

/** The backend's (and the customers table's) email rule; matched case-insensitively, stored lower-case. */
export const email = {
  type: 'string',
  maxLength: 254,
  pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
  examples: ['ann@example.com'],
} as const;

/** A catalogue sku. */
export const sku = { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$', examples: ['TEA-1'] } as const;

const cents = { type: 'integer', description: 'Money in integer cents' } as const;
const timestamp = { type: 'string', format: 'date-time' } as const;

export const newOrderBody = {
  type: 'object',
  required: ['customerEmail', 'lines'],
  additionalProperties: false,
  properties: {
    customerEmail: { ...email, description: 'The customer; created on first use (idempotent on the email)' },
    customerName: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '\\S',
      description:
        'Name for a customer created by this order; ignored for a known email. Default: the email local part',
    },
    lines: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_ORDER_LINES,
      description: 'One line per sku; prices are taken from the catalogue, never from the request',
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        additionalProperties: false,
        properties: { sku, quantity: { type: 'integer', minimum: 1, maximum: 1000 } },
      },
    },
  },
} as const;

export const listOrdersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    customerEmail: { ...email, description: 'Only this customer’s orders (an unknown email gives an empty page)' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    before: { ...uuid, description: 'The `nextBefore` of the previous page' },
  },
} as const;

export const orderIdParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: uuid },
} as const;

const orderProperties = {
  id: uuid,
  customerId: uuid,
  status: { type: 'string', enum: ['pending', 'confirmed', 'invoiced', 'shipped', 'delivered', 'cancelled'] },
  totalCents: cents,
  createdAt: timestamp,
  updatedAt: timestamp,
} as const;

export const orderSummary = {
  type: 'object',
  required: Object.keys(orderProperties),
  properties: orderProperties,
} as const;

export const order = {
  type: 'object',
  required: [...Object.keys(orderProperties), 'lines'],
  properties: {
    ...orderProperties,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'name', 'quantity', 'unitPriceCents', 'lineTotalCents'],
        properties: {
          sku: { type: 'string' },
          name: { type: 'string' },
          quantity: { type: 'integer' },
          unitPriceCents: cents,
          lineTotalCents: { ...cents, description: 'quantity × unitPriceCents' },
        },
      },
    },
  },
} as const;

export const orderPage = {
  type: 'object',
  required: ['orders', 'nextBefore'],
  properties: {
    orders: { type: 'array', items: orderSummary },
    nextBefore: { anyOf: [uuid, { type: 'null' }], description: 'Pass as `before` for the next page; null at the end' },
  },
} as const;

/** The body of every error answer (createHttpApp's shape). Published in the OpenAPI document only. */
export const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'Stable snake_case code, e.g. validation_failed, invalid_token' },
        message: { type: 'string' },
        requestId: { type: 'string', description: 'Also in the x-request-id response header' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message'],
            properties: { path: { type: 'string', examples: ['body.lines[0].quantity'] }, message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;
