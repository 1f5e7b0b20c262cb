// taskExitCode: which exit code a stopped task turns into.

import { describe, expect, it } from 'vitest';
import { taskExitCode } from '../../src/aws/task-exit-code.js';
import { CONTAINER, exitedTask, task } from './fake-aws.js';

describe('taskExitCode', () => {
  it.each([0, 1, 3, 137])('is the container exit code %i when the container exited on its own', (code) => {
    expect(taskExitCode(exitedTask(code), CONTAINER, false)).toBe(code);
  });

  it('is 1 when the container never got an exit code', () => {
    const failed = task('STOPPED', {
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth',
    });
    expect(taskExitCode(failed, CONTAINER, false)).toBe(1);
  });

  it.each(['SpotInterruption', 'UserInitiated', 'TerminationNotice'] as const)(
    'is 1 when a task stopped from outside (%s) exited 0',
    (stopCode) => {
      expect(taskExitCode(task('STOPPED', { exitCode: 0, stopCode }), CONTAINER, false)).toBe(1);
    },
  );

  it('keeps a non-zero exit code of a task stopped from outside', () => {
    expect(taskExitCode(task('STOPPED', { exitCode: 143, stopCode: 'SpotInterruption' }), CONTAINER, false)).toBe(143);
  });

  it('is 130 when the caller interrupted the run, whatever the container did', () => {
    expect(taskExitCode(exitedTask(0), CONTAINER, true)).toBe(130);
  });

  it('reads the named container, not another one of the task', () => {
    const withSidecar = exitedTask(5);
    withSidecar.containers = [{ name: 'log-router', exitCode: 0 }, ...(withSidecar.containers ?? [])];
    expect(taskExitCode(withSidecar, CONTAINER, false)).toBe(5);
  });
});
