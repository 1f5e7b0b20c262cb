import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../../tools/testing/test-databases.js';
import { runTask, TaskFailure } from '../src/index.js';

describe('runTask', () => {
  it('returns the command exit code and logs its completion', async () => {
    const { logger, lines } = captureLogger();
    const code = await runTask({ hello: ({ args }) => (args[0] === 'x' ? 4 : 0) }, { argv: ['hello', 'x'], logger });
    expect(code).toBe(4);
    expect(lines.at(-1)).toMatchObject({ msg: 'hello finished', exitCode: 4 });
  });

  it('answers an unknown command with the list of commands and exit code 2', async () => {
    const { logger, lines } = captureLogger();
    expect(await runTask({ migrate: () => 0 }, { argv: ['migrat'], logger })).toBe(2);
    expect(lines[0]?.msg).toBe('unknown command "migrat"; commands: migrate');
  });

  it('logs an expected failure as its message, without a stack, with its exit code', async () => {
    const { logger, lines } = captureLogger();
    const code = await runTask(
      {
        import: () => {
          throw new TaskFailure('customers.csv line 2: email "bob@" is not a valid email address', 3);
        },
      },
      { argv: ['import'], logger },
    );
    expect(code).toBe(3);
    expect(lines[0]).toMatchObject({
      msg: 'import failed: customers.csv line 2: email "bob@" is not a valid email address',
    });
    expect(lines[0]).not.toHaveProperty('err');
  });

  it('keeps the stack of an unexpected error in the log for debugging, and exits 1', async () => {
    const { logger, lines } = captureLogger();
    const code = await runTask(
      {
        boom: () => {
          throw new TypeError('cannot read properties of undefined');
        },
      },
      { argv: ['boom'], logger },
    );
    expect(code).toBe(1);
    expect(lines[0]?.msg).toBe('boom failed: cannot read properties of undefined');
    expect(JSON.stringify(lines[0]?.err)).toContain('TypeError');
  });
});
