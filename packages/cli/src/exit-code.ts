// The shell exit code for a stopped task: the container's code, or 128 + signal number like a shell.

import { constants } from 'node:os';

export function taskExitCode(result: { exitCode: number | null; signal: string | null }): number {
  if (result.exitCode !== null) return result.exitCode;
  const number = result.signal ? constants.signals[result.signal as NodeJS.Signals] : undefined;
  return number ? 128 + number : 1;
}
