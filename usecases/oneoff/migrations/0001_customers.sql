-- Up Migration
-- Customers of the shop. Emails are stored lower-case so the unique constraint also catches "Ann@x" vs "ann@x".
CREATE TABLE customers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT customers_email_key UNIQUE (email),
  CONSTRAINT customers_email_lower_case CHECK (email = lower(email)),
  CONSTRAINT customers_email_shape CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  CONSTRAINT customers_name_not_blank CHECK (btrim(name) <> '')
);

-- Down Migration
DROP TABLE customers;
