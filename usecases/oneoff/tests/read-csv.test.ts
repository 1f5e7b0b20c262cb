// readCsv: rows keep their line numbers; header and syntax problems are reported once, with the line.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../apps/read-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'hf-read-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns = { required: ['email', 'name'], optional: ['note'] };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('readCsv', () => {
  it('gives each row the line it starts on, across blank lines and quoted values spanning lines', async () => {
    const path = file('lines.csv', 'email,name\na@x.com,Ann\n\nb@x.com,"Bob\nthe second"\nc@x.com,"Carl, Jr."\n');

    const csv = await readCsv(path, 'lines.csv', columns);

    expect(csv.rows).toEqual([
      { line: 2, values: { email: 'a@x.com', name: 'Ann' } },
      { line: 4, values: { email: 'b@x.com', name: 'Bob\nthe second' } },
      { line: 6, values: { email: 'c@x.com', name: 'Carl, Jr.' } },
    ]);
    expect(csv.problems).toEqual([]);
  });

  it('reads a byte order mark, CRLF line ends, upper-case headers and spaces around values', async () => {
    const path = file('excel.csv', '\ufeffEmail , NAME\r\n a@x.com , Ann \r\n');

    const csv = await readCsv(path, 'excel.csv', columns);

    expect(csv.rows).toEqual([{ line: 2, values: { email: 'a@x.com', name: 'Ann' } }]);
  });

  it('reports every row with the wrong number of fields, and keeps the others', async () => {
    const path = file('fields.csv', 'email,name\na@x.com,Ann\nb@x.com,Bob,extra\nc@x.com\n');

    const csv = await readCsv(path, 'fields.csv', columns);

    expect(csv.rows.map((row) => row.line)).toEqual([2]);
    expect(csv.problems).toEqual([
      {
        file: 'fields.csv',
        line: 3,
        message: 'has 3 fields but the header has 2 (email, name); quote values that contain commas',
      },
      {
        file: 'fields.csv',
        line: 4,
        message: 'has 1 field but the header has 2 (email, name); quote values that contain commas',
      },
    ]);
  });

  it('reports unknown, missing and repeated header columns once, in one message', async () => {
    const path = file('header.csv', 'email,nmae,email\na@x.com,Ann,a@x.com\n');

    await expect(readCsv(path, 'header.csv', columns)).rejects.toThrow(
      'header.csv line 1: header has unknown column "nmae", missing column "name", repeated column "email"; expected email, name and optionally note. No row of header.csv was read',
    );
  });

  it('reports an unclosed quote at the line where the unfinished value starts', async () => {
    const path = file('unclosed.csv', 'email,name\na@x.com,Ann\n\nb@x.com,"Bob\nc@x.com,Carl\n');

    await expect(readCsv(path, 'unclosed.csv', columns)).rejects.toThrow(
      /^unclosed\.csv line 4: malformed CSV: a quoted value is never closed/,
    );
  });

  it('reports a stray quote inside an unquoted value with its line', async () => {
    const path = file('stray.csv', 'email,name\na@x.com,Ann\nb@x.com,Bo"b\n');

    await expect(readCsv(path, 'stray.csv', columns)).rejects.toThrow(
      /^stray\.csv line 3: malformed CSV: a " appears inside an unquoted value/,
    );
  });

  it('says an empty file needs a header line', async () => {
    const path = file('empty.csv', '\n');

    await expect(readCsv(path, 'empty.csv', columns)).rejects.toThrow(
      'empty.csv is empty; its first line must be the header: email, name and optionally note',
    );
  });

  it('says which file is missing', async () => {
    await expect(readCsv(join(dir, 'nope.csv'), 'nope.csv', columns)).rejects.toThrow(
      `cannot read nope.csv (${join(dir, 'nope.csv')}): no such file`,
    );
  });
});
