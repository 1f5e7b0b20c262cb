// A partner's order through the webapi: POST /orders with a bearer token, then GET the Location it answered.

import type { ApiOrder, PartnerOrderResult } from './target.js';

export interface PartnerOrderRequest {
  /** The webapi's address, without a trailing slash. */
  readonly webapiUrl: string;
  readonly token: string;
  readonly customerEmail: string;
  readonly sku: string;
  readonly quantity: number;
}

/** Places the order and reads it back; any answer other than JSON is an error naming the call and its status. */
export async function partnerOrder(request: PartnerOrderRequest): Promise<PartnerOrderResult> {
  const { webapiUrl, token, customerEmail, sku, quantity } = request;
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  const created = await fetch(`${webapiUrl}/orders`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ customerEmail, lines: [{ sku, quantity }] }),
  });
  const createdBody = await jsonOf(created, `POST ${webapiUrl}/orders`);
  const location = created.headers.get('location');
  // A relative Location resolves against the webapi, as a browser would resolve it.
  const fetchUrl = new URL(location ?? `/orders/${createdBody.id}`, `${webapiUrl}/`).toString();
  const fetched = await fetch(fetchUrl, { headers });
  const fetchedBody = await jsonOf(fetched, `GET ${fetchUrl}`);
  return {
    createStatus: created.status,
    location,
    created: createdBody,
    fetchStatus: fetched.status,
    fetched: fetchedBody,
  };
}

async function jsonOf(response: Response, call: string): Promise<ApiOrder> {
  const text = await response.text();
  try {
    return JSON.parse(text) as ApiOrder;
  } catch {
    throw new Error(`${call} answered HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}
