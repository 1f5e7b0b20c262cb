// How `hf destroy` asks for confirmation: a question on the terminal, or a refusal when there is none to ask on.

import { createInterface } from 'node:readline/promises';

/** Where the confirmation question is asked. */
export interface Confirmation {
  /** Whether a person can answer (stdin is a terminal). */
  readonly interactive: boolean;
  /** Asks and resolves with the answer as typed. */
  ask(question: string): Promise<string>;
}

/** Asks on stdin, writing the question to stderr so stdout stays for results. */
export function terminalConfirmation(
  stdin: NodeJS.ReadStream = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): Confirmation {
  return {
    interactive: stdin.isTTY === true,
    async ask(question) {
      const readline = createInterface({ input: stdin, output: stderr });
      try {
        return await readline.question(question);
      } finally {
        readline.close();
      }
    },
  };
}
