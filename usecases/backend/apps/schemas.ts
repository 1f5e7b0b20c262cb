// JSON schemas shared by the routes: ids, the customer, product and order shapes. Money is always integer cents.

/** A UUID as PostgreSQL prints it (ajv's `uuid` format would also accept a `urn:uuid:` prefix PostgreSQL refuses). */
export const uuid = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
} as const;

/** Same rule as the customers_email_shape check; stored lower-case. */
export const email = { type: 'string', maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' } as const;

/** Same rule as the products_sku_shape check. */
export const sku = { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$' } as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: uuid },
} as const;

const timestamp = { type: 'string' } as const;
const cents = { type: 'integer' } as const;

export const customerSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'createdAt'],
  properties: { id: uuid, email: { type: 'string' }, name: { type: 'string' }, createdAt: timestamp },
} as const;

export const productSchema = {
  type: 'object',
  required: ['id', 'sku', 'name', 'priceCents'],
  properties: { id: uuid, sku: { type: 'string' }, name: { type: 'string' }, priceCents: cents },
} as const;

const orderProperties = {
  id: uuid,
  customerId: uuid,
  status: { type: 'string' },
  totalCents: cents,
  createdAt: timestamp,
  updatedAt: timestamp,
} as const;

export const orderSummarySchema = {
  type: 'object',
  required: Object.keys(orderProperties),
  properties: orderProperties,
} as const;

export const orderSchema = {
  type: 'object',
  required: [...Object.keys(orderProperties), 'lines'],
  properties: {
    ...orderProperties,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['productId', 'sku', 'name', 'quantity', 'unitPriceCents', 'lineTotalCents'],
        properties: {
          productId: uuid,
          sku: { type: 'string' },
          name: { type: 'string' },
          quantity: { type: 'integer' },
          unitPriceCents: cents,
          lineTotalCents: cents,
        },
      },
    },
  },
} as const;
