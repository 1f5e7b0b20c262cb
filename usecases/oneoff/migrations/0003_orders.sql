-- Up Migration
-- Orders and their lines. total_cents and line_total_cents are computed by the backend, never sent by clients;
-- the checks keep every line consistent with its quantity and unit price.
CREATE TABLE orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES customers (id),
  status text NOT NULL DEFAULT 'pending',
  total_cents integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_status_allowed CHECK (status IN ('pending', 'confirmed', 'invoiced', 'shipped', 'delivered', 'cancelled')),
  CONSTRAINT orders_total_cents_not_negative CHECK (total_cents >= 0)
);

-- "My orders, newest first" for the webapp and the partner API.
CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at DESC);
-- The nightly sales report reads one day of orders.
CREATE INDEX orders_created_at_idx ON orders (created_at);

CREATE TABLE order_lines (
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id uuid NOT NULL REFERENCES products (id),
  quantity integer NOT NULL,
  unit_price_cents integer NOT NULL,
  line_total_cents integer NOT NULL,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT order_lines_quantity_positive CHECK (quantity > 0),
  CONSTRAINT order_lines_unit_price_cents_not_negative CHECK (unit_price_cents >= 0),
  CONSTRAINT order_lines_line_total_cents_matches CHECK (line_total_cents = quantity * unit_price_cents)
);

-- Foreign keys are not indexed automatically: "which orders contain this product" and deleting products need this.
CREATE INDEX order_lines_product_id_idx ON order_lines (product_id);

-- updated_at follows every change to an order, whoever makes it.
CREATE FUNCTION orders_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER orders_set_updated_at
BEFORE UPDATE ON orders
FOR EACH ROW EXECUTE FUNCTION orders_set_updated_at();

-- Down Migration
DROP TABLE order_lines;
DROP TABLE orders;
DROP FUNCTION orders_set_updated_at();
