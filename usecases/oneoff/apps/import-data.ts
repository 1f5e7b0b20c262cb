// Imports customers and products from CSV files: every row validated first, then all saved in one transaction.

import { basename } from 'node:path';
import { connectDatabase, createLogger, describeError, type Logger, TaskFailure } from '@hello-fargate/runtime';
import { type CustomerRow, customerColumns, validateCustomers } from './customer-rows.js';
import { type ProductRow, productColumns, validateProducts } from './product-rows.js';
import { type CsvColumns, type CsvRow, formatProblem, type RowProblem, readCsv } from './read-csv.js';
import { type UpsertCounts, upsertCustomers, upsertProducts } from './upsert-rows.js';

export interface ImportOptions {
  /** CSV file of customers (`email,name`). @default - customers are not imported */
  readonly customers?: string;
  /** CSV file of products (`sku,name,price[,active]`). @default - products are not imported */
  readonly products?: string;
  /** Import the valid rows and report the rest, instead of importing nothing when a row is invalid. @default false */
  readonly skipInvalid?: boolean;
  /** Validate and run the upserts, then roll back: the counts say what a real run would do. @default false */
  readonly dryRun?: boolean;
  /** Connection string. @default databaseUrlFromEnv(): DATABASE_URL, or composed from the PG* variables in AWS */
  readonly url?: string;
  /** @default createLogger({ component: 'import' }) */
  readonly logger?: Logger;
  /** Invalid rows listed in full before the rest are only counted. @default 50 */
  readonly maxListedProblems?: number;
}

export interface ImportCounts extends UpsertCounts {
  readonly rejected: number;
}

export interface ImportReport {
  /** Absent when no customers file was given. */
  readonly customers?: ImportCounts;
  /** Absent when no products file was given. */
  readonly products?: ImportCounts;
  /** Rows not imported (only with skipInvalid; otherwise invalid rows make the import fail). */
  readonly rejected: readonly RowProblem[];
  readonly dryRun: boolean;
}

interface Checked<Row> {
  readonly valid: Row[];
  readonly problems: RowProblem[];
}

/**
 * Validates every row of the given files, then upserts customers (by email) and products (by sku) in one transaction.
 * Throws a TaskFailure listing the problems when a file is unreadable or malformed, or when a row is invalid and
 * `skipInvalid` is not set; nothing is saved then.
 */
export async function importData(options: ImportOptions): Promise<ImportReport> {
  const logger = options.logger ?? createLogger({ component: 'import' });
  const maxListed = options.maxListedProblems ?? 50;
  const skipInvalid = options.skipInvalid ?? false;
  const dryRun = options.dryRun ?? false;
  if (options.customers === undefined && options.products === undefined) {
    throw new TaskFailure('nothing to import: give a customers file, a products file, or both', 2);
  }

  const [customers, products] = await readAll(options, logger);
  const rejected = [...(customers?.problems ?? []), ...(products?.problems ?? [])];
  if (rejected.length > 0 && !skipInvalid) {
    throw new TaskFailure(
      `${plural(rejected.length, 'invalid row')}; nothing was imported. Fix ${rejected.length === 1 ? 'it' : 'them'}, or run with --skip-invalid to import the valid rows:\n${listProblems(rejected, maxListed)}`,
    );
  }
  for (const problem of rejected.slice(0, maxListed)) {
    logger.warn(
      { file: problem.file, line: problem.line, reason: problem.message },
      `rejected ${formatProblem(problem)}`,
    );
  }
  if (rejected.length > maxListed) logger.warn(`… and ${rejected.length - maxListed} more rejected rows`);

  const saved = await save(options, customers, products, dryRun);
  const report: ImportReport = {
    ...(customers && saved.customers && { customers: { ...saved.customers, rejected: customers.problems.length } }),
    ...(products && saved.products && { products: { ...saved.products, rejected: products.problems.length } }),
    rejected,
    dryRun,
  };
  logger.info(
    { customers: report.customers, products: report.products, dryRun },
    `${dryRun ? 'dry run, nothing saved; would import' : 'imported'} ${describeCounts(report)}`,
  );
  return report;
}

type CustomerRows = Checked<CustomerRow>;
type ProductRows = Checked<ProductRow>;

/** Reads and validates both files; file-level failures of both are reported together. */
async function readAll(
  options: ImportOptions,
  logger: Logger,
): Promise<[CustomerRows | undefined, ProductRows | undefined]> {
  const results = await Promise.allSettled([
    options.customers === undefined
      ? undefined
      : readChecked(options.customers, customerColumns, validateCustomers, logger),
    options.products === undefined
      ? undefined
      : readChecked(options.products, productColumns, validateProducts, logger),
  ]);
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [describeError(result.reason)] : []));
  if (failures.length > 0) throw new TaskFailure(`${failures.join('\n')}\nNothing was imported.`);
  return results.map((result) => (result.status === 'fulfilled' ? result.value : undefined)) as [
    CustomerRows | undefined,
    ProductRows | undefined,
  ];
}

async function readChecked<Row>(
  path: string,
  columns: CsvColumns,
  validate: (file: string, rows: readonly CsvRow[]) => Checked<Row>,
  logger: Logger,
): Promise<Checked<Row>> {
  const csv = await readCsv(path, basename(path), columns);
  const checked = validate(csv.name, csv.rows);
  const problems = [...csv.problems, ...checked.problems].sort((a, b) => a.line - b.line);
  logger.debug({ file: path, rows: csv.rows.length + csv.problems.length, invalid: problems.length }, `read ${path}`);
  return { valid: checked.valid, problems };
}

async function save(
  options: ImportOptions,
  customers: CustomerRows | undefined,
  products: ProductRows | undefined,
  dryRun: boolean,
): Promise<{ customers?: UpsertCounts; products?: UpsertCounts }> {
  const pool = await connectDatabase({ ...(options.url !== undefined && { url: options.url }), max: 1 });
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const saved = {
          ...(customers && { customers: await upsertCustomers(client, customers.valid) }),
          ...(products && { products: await upsertProducts(client, products.valid) }),
        };
        await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
        return saved;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw saveFailure(error);
      }
    } finally {
      client.release();
    }
  } finally {
    await pool.end().catch(() => undefined);
  }
}

function saveFailure(error: unknown): TaskFailure {
  const err = error as { code?: string; message?: string; table?: string };
  if (err?.code === '42P01') {
    return new TaskFailure(
      `import failed, nothing was saved: ${err.message}; the tables are created by "migrate": run it first`,
      1,
      { cause: error },
    );
  }
  return new TaskFailure(`import failed, nothing was saved: ${describeError(error)}`, 1, { cause: error });
}

function listProblems(problems: readonly RowProblem[], max: number): string {
  const listed = problems.slice(0, max).map((problem) => `  ${formatProblem(problem)}`);
  if (problems.length > max) listed.push(`  … and ${plural(problems.length - max, 'more invalid row')}`);
  return listed.join('\n');
}

function describeCounts(report: ImportReport): string {
  const parts: string[] = [];
  for (const [what, counts] of [
    ['customers', report.customers],
    ['products', report.products],
  ] as const) {
    if (counts) {
      parts.push(
        `${what}: ${counts.inserted} inserted, ${counts.updated} updated, ${counts.unchanged} unchanged, ${counts.rejected} rejected`,
      );
    }
  }
  return parts.join('; ');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
