// The `import` command: parses its flags and loads customers and products from CSV files.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type TaskCommand, TaskFailure } from '@hello-fargate/runtime';
import { dataDir } from './app-folders.js';
import { importData } from './import-data.js';

export const IMPORT_USAGE = `usage: import [--customers <file>] [--products <file>] [--skip-invalid] [--dry-run]
  With no file given, imports the shipped data/customers.csv and data/products.csv.
  --customers <file>  CSV with columns email,name (only the files given are imported)
  --products <file>   CSV with columns sku,name,price and optionally active
  --skip-invalid      import the valid rows and report the invalid ones (default: import nothing if any row is invalid)
  --dry-run           validate and count what would change, then roll back`;

/** `import [--customers <file>] [--products <file>] [--skip-invalid] [--dry-run]`: exit 0, 1 (invalid data) or 2 (usage). */
export const importCommand: TaskCommand = async ({ args, logger }) => {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(args);
  } catch (error) {
    const usage = IMPORT_USAGE.split('\n')[0];
    const positional = (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL';
    const what = positional
      ? 'files are given by flag, e.g. import --customers data/customers.csv'
      : (error as Error).message;
    throw new TaskFailure(`${what}; ${usage} (import --help explains the flags)`, 2);
  }
  if (flags.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  const given = flags.customers !== undefined || flags.products !== undefined;
  const shipped = (file: string) => fileURLToPath(new URL(file, dataDir));
  await importData({
    ...(given
      ? {
          ...(flags.customers !== undefined && { customers: resolve(flags.customers) }),
          ...(flags.products !== undefined && { products: resolve(flags.products) }),
        }
      : { customers: shipped('customers.csv'), products: shipped('products.csv') }),
    skipInvalid: flags['skip-invalid'] ?? false,
    dryRun: flags['dry-run'] ?? false,
    logger,
  });
  return 0;
};

function parseFlags(args: readonly string[]) {
  const { values } = parseArgs({
    args: [...args],
    options: {
      customers: { type: 'string' },
      products: { type: 'string' },
      'skip-invalid': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  return values;
}
