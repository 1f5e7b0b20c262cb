// Reads one CSV file into rows that know their line numbers; syntax and header problems become clear failures.

import { readFile } from 'node:fs/promises';
import { TaskFailure } from '@hello-fargate/runtime';
import { CsvError, type Info, parse } from 'csv-parse/sync';

export interface CsvColumns {
  /** Columns every file must have. */
  readonly required: readonly string[];
  /** Columns a file may have. @default - none */
  readonly optional?: readonly string[];
}

export interface CsvRow {
  /** The line the record starts on (1 is the header), as an editor shows it. */
  readonly line: number;
  /** Trimmed values by lower-case column name; an optional column the file lacks is absent. */
  readonly values: Readonly<Record<string, string>>;
}

/** A row that cannot be imported and why, e.g. `customers.csv line 7: email "bob@" is not a valid email address`. */
export interface RowProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface CsvFile {
  /** The name used in messages. */
  readonly name: string;
  readonly rows: readonly CsvRow[];
  /** Rows whose field count differs from the header's. */
  readonly problems: readonly RowProblem[];
}

/** `customers.csv line 7: …` */
export function formatProblem(problem: RowProblem): string {
  return `${problem.file} line ${problem.line}: ${problem.message}`;
}

/**
 * Parses `path` (UTF-8, optional BOM, comma-separated, `"` quotes, header line first). Throws a TaskFailure naming the
 * file and line when the file cannot be read, is not valid CSV, or its header does not match `columns`.
 */
export async function readCsv(path: string, name: string, columns: CsvColumns): Promise<CsvFile> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    const why = error.code === 'ENOENT' ? 'no such file' : error.message;
    throw new TaskFailure(`cannot read ${name} (${path}): ${why}`, 1, { cause: error });
  });
  const records = parseRecords(text, name);
  const [header, ...body] = records;
  if (!header) {
    throw new TaskFailure(`${name} is empty; its first line must be the header: ${describeColumns(columns)}`);
  }
  const names = header.fields.map((field) => field.toLowerCase());
  checkHeader(names, header.line, name, columns);

  const rows: CsvRow[] = [];
  const problems: RowProblem[] = [];
  for (const record of body) {
    if (record.fields.length !== names.length) {
      problems.push({
        file: name,
        line: record.line,
        message: `has ${record.fields.length} field${record.fields.length === 1 ? '' : 's'} but the header has ${names.length} (${names.join(', ')}); quote values that contain commas`,
      });
      continue;
    }
    rows.push({ line: record.line, values: Object.fromEntries(names.map((column, i) => [column, record.fields[i]])) });
  }
  return { name, rows, problems };
}

interface RawRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

function parseRecords(text: string, name: string): RawRecord[] {
  let lastLine = 0;
  try {
    const parsed = parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      // A wrong field count is reported per row, so every such row is listed, not only the first.
      relax_column_count: true,
      // Remembers where the last complete record ended, for the message when the next one never ends.
      on_record: (record, context) => {
        lastLine = context.lines;
        return record;
      },
    }) as unknown as { record: string[]; info: Info }[]; // with `info`, each record comes with its position
    return parsed.map(({ record, info }) => {
      // info.lines is where the record ends; a quoted value spanning lines starts it earlier.
      const inner = record.reduce((count, field) => count + (field.match(/\n/g)?.length ?? 0), 0);
      return { line: info.lines - inner, fields: record };
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new TaskFailure(malformedMessage(error, text, name, lastLine), 1, { cause: error });
  }
}

function malformedMessage(error: CsvError, text: string, name: string, lastLine: number): string {
  const line = typeof error.lines === 'number' ? error.lines : undefined;
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `${name} line ${firstContentLineAfter(text, lastLine)}: malformed CSV: a quoted value is never closed; add the missing closing " (a " inside a quoted value is written "")`;
    case 'INVALID_OPENING_QUOTE':
      return `${name} line ${line}: malformed CSV: a " appears inside an unquoted value; quote the whole value and double the inner quote, e.g. "Ann ""The Hammer"" Lee"`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${name} line ${line}: malformed CSV: a closing " must be followed by a comma or the end of the line`;
    default:
      return `${name}${line ? ` line ${line}` : ''}: malformed CSV: ${error.message}`;
  }
}

/** The first non-blank line after `line`, where the record that never ended starts. */
function firstContentLineAfter(text: string, line: number): number {
  const lines = text.split('\n');
  for (let i = line; i < lines.length; i++) if (lines[i]?.trim()) return i + 1;
  return line + 1;
}

function checkHeader(names: readonly string[], line: number, name: string, columns: CsvColumns): void {
  const known = [...columns.required, ...(columns.optional ?? [])];
  const problems: string[] = [];
  const unknown = names.filter((column) => !known.includes(column));
  const missing = columns.required.filter((column) => !names.includes(column));
  const repeated = names.filter((column, i) => names.indexOf(column) !== i);
  if (unknown.length > 0) problems.push(`unknown column${unknown.length === 1 ? '' : 's'} ${quoteAll(unknown)}`);
  if (missing.length > 0) problems.push(`missing column${missing.length === 1 ? '' : 's'} ${quoteAll(missing)}`);
  if (repeated.length > 0) problems.push(`repeated column${repeated.length === 1 ? '' : 's'} ${quoteAll(repeated)}`);
  if (problems.length > 0) {
    throw new TaskFailure(
      `${name} line ${line}: header has ${problems.join(', ')}; expected ${describeColumns(columns)}. No row of ${name} was read`,
    );
  }
}

function describeColumns(columns: CsvColumns): string {
  const optional = columns.optional?.length ? ` and optionally ${columns.optional.join(', ')}` : '';
  return `${columns.required.join(', ')}${optional}`;
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => `"${value}"`).join(', ');
}
