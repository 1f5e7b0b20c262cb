// The backend calls the webapp makes, typed: customers by email, the catalogue, and the user's orders.

import { type ServiceClient, ServiceError } from '@hello-fargate/runtime';

export interface Product {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
}

export interface OrderSummary {
  readonly id: string;
  readonly customerId: string;
  readonly status: string;
  readonly totalCents: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrderLine {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly lineTotalCents: number;
}

export interface Order extends OrderSummary {
  readonly lines: readonly OrderLine[];
}

export interface OrderPage {
  readonly orders: readonly OrderSummary[];
  readonly nextBefore: string | null;
}

export interface NewOrderLine {
  readonly sku: string;
  readonly quantity: number;
}

export interface OrdersApi {
  /** The customer id for this email, creating the customer on first sign-in (POST /customers is idempotent). */
  customerIdFor(user: { email: string; name: string }, requestId: string): Promise<string>;
  products(requestId: string): Promise<readonly Product[]>;
  createOrder(customerId: string, lines: readonly NewOrderLine[], requestId: string): Promise<Order>;
  /** The customer's orders, newest first, 20 a page. */
  orders(customerId: string, before: string | undefined, requestId: string): Promise<OrderPage>;
  /** The order, or undefined when there is none. */
  order(id: string, requestId: string): Promise<Order | undefined>;
}

export interface OrdersApiOptions {
  /** Customer ids remembered per email (a customer's id never changes). @default 10000 */
  readonly cacheSize?: number;
}

/** Calls pass the page request's id on, so the backend's log lines join the webapp's. */
export function createOrdersApi(backend: ServiceClient, options: OrdersApiOptions = {}): OrdersApi {
  const cacheSize = options.cacheSize ?? 10_000;
  const customerIds = new Map<string, string>();
  return {
    async customerIdFor(user, requestId) {
      const cached = customerIds.get(user.email);
      if (cached) return cached;
      const customer = await backend.post<{ id: string }>(
        '/customers',
        { email: user.email, name: user.name },
        { requestId },
      );
      if (customerIds.size >= cacheSize) customerIds.delete(customerIds.keys().next().value as string);
      customerIds.set(user.email, customer.id);
      return customer.id;
    },
    async products(requestId) {
      return (await backend.get<{ products: Product[] }>('/products', { requestId })).products;
    },
    createOrder(customerId, lines, requestId) {
      return backend.post<Order>('/orders', { customerId, lines }, { requestId });
    },
    orders(customerId, before, requestId) {
      const query = new URLSearchParams({ customerId, limit: '20' });
      if (before !== undefined) query.set('before', before);
      return backend.get<OrderPage>(`/orders?${query}`, { requestId });
    },
    async order(id, requestId) {
      try {
        return await backend.get<Order>(`/orders/${encodeURIComponent(id)}`, { requestId });
      } catch (error) {
        if (error instanceof ServiceError && error.status === 404) return undefined;
        throw error;
      }
    },
  };
}
