// An error for the person at the terminal: printed as `hf: <message>` with its exit code, never as a stack trace.

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
