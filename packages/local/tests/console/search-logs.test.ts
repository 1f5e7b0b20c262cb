// Log search: lines naming a request or job id across every task's log, newest first, bounded.

import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { searchLogs } from '../../src/console/search-logs.js';
import { tempDir } from '../helpers.js';

describe('searchLogs', () => {
  const dir = tempDir('hf-console-logs-');
  afterAll(() => dir.remove());
  mkdirSync(join(dir.path, 'api'));
  mkdirSync(join(dir.path, 'worker'));
  writeFileSync(
    join(dir.path, 'api', 'aaa.log'),
    '{"msg":"in","requestId":"01REQ"}\nother\n{"msg":"out","requestId":"01REQ"}\n',
  );
  writeFileSync(join(dir.path, 'worker', 'bbb.log'), 'job 01REQ done\nunrelated\n');
  utimesSync(join(dir.path, 'api', 'aaa.log'), new Date(1000), new Date(1000));
  utimesSync(join(dir.path, 'worker', 'bbb.log'), new Date(2000), new Date(2000));

  it('finds the lines naming the id, newest file and newest line first', async () => {
    const matches = await searchLogs(dir.path, '01REQ');
    expect(matches.map((m) => `${m.workload}/${m.taskId}: ${m.line}`)).toEqual([
      'worker/bbb: job 01REQ done',
      'api/aaa: {"msg":"out","requestId":"01REQ"}',
      'api/aaa: {"msg":"in","requestId":"01REQ"}',
    ]);
  });

  it('returns every line of the given tasks, stops at the limit, and ignores too-short queries', async () => {
    expect((await searchLogs(dir.path, 'xyz-job', { taskIds: new Set(['bbb']) })).map((m) => m.line)).toEqual([
      'unrelated',
      'job 01REQ done',
    ]);
    expect(await searchLogs(dir.path, '01REQ', { limit: 1 })).toHaveLength(1);
    expect(await searchLogs(dir.path, 'jo')).toEqual([]);
    expect(await searchLogs(join(dir.path, 'missing'), '01REQ')).toEqual([]);
  });
});
