// Pieces of the console snapshot: an execution's history as state spans, escaping, masked passwords.

import { describe, expect, it } from 'vitest';
import { stateSpans, withoutPassword } from '../../src/console/console-snapshot.js';
import { escapeHtml, scriptJson } from '../../src/console/escape-html.js';
import type { HistoryEvent } from '../../src/workflows/index.js';

const at = (s: number) => new Date(s * 1000).toISOString();

describe('stateSpans', () => {
  it('turns entered/exited/failed/retried events into one span per state, in order', () => {
    const history: HistoryEvent[] = [
      { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
      { id: 2, type: 'StateEntered', timestamp: at(1), state: 'Run A', stateType: 'Task' },
      { id: 3, type: 'StateRetried', timestamp: at(2), state: 'Run A', attempt: 1 },
      { id: 4, type: 'StateExited', timestamp: at(3), state: 'Run A' },
      { id: 5, type: 'StateEntered', timestamp: at(3), state: 'Run B', stateType: 'Task' },
      { id: 6, type: 'StateFailed', timestamp: at(4), state: 'Run B', error: 'States.TaskFailed' },
    ];
    expect(stateSpans(history, 'FAILED')).toEqual([
      { state: 'Run A', type: 'Task', status: 'SUCCEEDED', enteredAt: at(1), exitedAt: at(3), retries: 1 },
      {
        state: 'Run B',
        type: 'Task',
        status: 'FAILED',
        enteredAt: at(3),
        exitedAt: at(4),
        retries: 0,
        error: 'States.TaskFailed',
      },
    ]);
  });

  it('leaves a state running while the execution runs, and gives it the execution’s end otherwise', () => {
    const history: HistoryEvent[] = [{ id: 1, type: 'StateEntered', timestamp: at(1), state: 'Wait' }];
    expect(stateSpans(history, 'RUNNING')[0]?.status).toBe('RUNNING');
    expect(stateSpans(history, 'ABORTED')[0]?.status).toBe('ABORTED');
  });
});

describe('escaping', () => {
  it('escapes text for HTML and JSON for a script element', () => {
    expect(escapeHtml(`<b a="1">'&'</b>`)).toBe('&lt;b a=&quot;1&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;');
    const json = scriptJson({ line: '</script><script>alert(1)</script>' });
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual({ line: '</script><script>alert(1)</script>' });
  });

  it('masks a URL’s password and leaves other URLs alone', () => {
    expect(withoutPassword('postgres://app:s3cret@db:5432/app')).toBe('postgres://app:***@db:5432/app');
    expect(withoutPassword('http://127.0.0.1:7400')).toBe('http://127.0.0.1:7400');
  });
});
