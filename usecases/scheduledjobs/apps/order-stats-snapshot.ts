// Order statistics: computing a snapshot into order_stats_snapshots, and reading the newest one.

import type pg from 'pg';
import { ORDER_STATUSES, type OrderStatus } from '../../backend/apps/order-status.js';

export interface OrderStatsSnapshot {
  readonly id: number;
  /** ISO 8601, database time. */
  readonly takenAt: string;
  /** Orders in each status, every status present (0 when none). */
  readonly ordersByStatus: Readonly<Record<OrderStatus, number>>;
  /** Orders created in the 24 hours before `takenAt`, cancelled ones excluded. */
  readonly ordersLast24h: number;
  /** Sum of their totals in cents. */
  readonly revenueLast24hCents: number;
}

interface SnapshotRow {
  id: string;
  taken_at: Date;
  orders_by_status: Record<OrderStatus, number>;
  orders_last_24h: number;
  revenue_last_24h_cents: string;
}

const COLUMNS = 'id::text AS id, taken_at, orders_by_status, orders_last_24h, revenue_last_24h_cents::text';

/** Counts orders per status and the last 24 hours' orders and revenue in one statement, and stores the snapshot. */
export async function takeOrderStatsSnapshot(pool: pg.Pool): Promise<OrderStatsSnapshot> {
  const { rows } = await pool.query<SnapshotRow>(
    `WITH counts AS (SELECT status, count(*) AS n FROM orders GROUP BY status),
          recent AS (
            SELECT count(*) AS n, coalesce(sum(total_cents), 0) AS cents FROM orders
            WHERE created_at >= now() - interval '24 hours' AND status <> 'cancelled'
          )
     INSERT INTO order_stats_snapshots (orders_by_status, orders_last_24h, revenue_last_24h_cents)
     SELECT
       (SELECT jsonb_object_agg(s.status, coalesce(c.n, 0))
        FROM unnest($1::text[]) AS s(status) LEFT JOIN counts c ON c.status = s.status),
       recent.n, recent.cents
     FROM recent
     RETURNING ${COLUMNS}`,
    [ORDER_STATUSES],
  );
  return toSnapshot(rows[0] as SnapshotRow);
}

/** The newest snapshot, or undefined when none was taken. */
export async function latestOrderStatsSnapshot(pool: pg.Pool): Promise<OrderStatsSnapshot | undefined> {
  const { rows } = await pool.query<SnapshotRow>(
    `SELECT ${COLUMNS} FROM order_stats_snapshots ORDER BY taken_at DESC, id DESC LIMIT 1`,
  );
  return rows[0] ? toSnapshot(rows[0]) : undefined;
}

function toSnapshot(row: SnapshotRow): OrderStatsSnapshot {
  return {
    id: Number(row.id),
    takenAt: row.taken_at.toISOString(),
    ordersByStatus: row.orders_by_status,
    ordersLast24h: row.orders_last_24h,
    revenueLast24hCents: Number(row.revenue_last_24h_cents),
  };
}
