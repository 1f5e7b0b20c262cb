-- Up Migration
-- The catalogue. Money is integer cents; inactive products stay for old orders but cannot be ordered.
CREATE TABLE products (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sku text NOT NULL,
  name text NOT NULL,
  price_cents integer NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT products_sku_key UNIQUE (sku),
  CONSTRAINT products_sku_shape CHECK (sku ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'),
  CONSTRAINT products_name_not_blank CHECK (btrim(name) <> ''),
  CONSTRAINT products_price_cents_not_negative CHECK (price_cents >= 0)
);

-- Listing what can be ordered skips the retired part of the catalogue.
CREATE INDEX products_active_name_idx ON products (name) WHERE active;

-- Down Migration
DROP TABLE products;
