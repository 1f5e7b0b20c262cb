// Turns the first Ctrl-C into an aborted signal (the command stops following) and the second into an exit.

export interface SigintInterrupt {
  /** Aborted by the first SIGINT. */
  readonly signal: AbortSignal;
  /** Removes the handlers; call it when the command ends. */
  dispose(): void;
}

/**
 * Listens for SIGINT on `target`. The first one aborts `signal` and writes `hf: interrupted: <what>…`; a second one
 * exits the process at once with 130.
 */
export function interruptOnSigint(
  what: string,
  target: Pick<NodeJS.Process, 'once' | 'off' | 'exit'> & {
    readonly stderr: { write(text: string): unknown };
  } = process,
): SigintInterrupt {
  const controller = new AbortController();
  const exitNow = () => target.exit(130);
  const interrupt = () => {
    target.stderr.write(`hf: interrupted: ${what} (Ctrl-C again to quit at once)…\n`);
    target.once('SIGINT', exitNow);
    controller.abort();
  };
  target.once('SIGINT', interrupt);
  return {
    signal: controller.signal,
    dispose() {
      target.off('SIGINT', interrupt);
      target.off('SIGINT', exitNow);
    },
  };
}
