// Where deploy, diff and destroy write, and how toolkit events become lines and per-stack durations.

import type { ToolkitEvent } from './cdk-toolkit.js';

/** The CLI sends `print` to stdout and `progress` to stderr (prefixed `hf: `). */
export interface DeployOutput {
  /** Phases, stacks done, migration logs and results, the summary. */
  print(line: string): void;
  /** Details while it works: CloudFormation events, asset builds and publishes, task status changes. */
  progress(line: string): void;
}

/** One stack the toolkit finished, and how long it took from its start. */
export interface StackOutcome {
  readonly stack: string;
  readonly durationMs: number;
  /** The deploy found nothing to change. */
  readonly noChanges: boolean;
}

/** Prints toolkit events and times each stack; `current` is the stack started last and not finished. */
export class StackProgress {
  readonly done: StackOutcome[] = [];
  private readonly started = new Map<string, number>();
  private readonly errors: string[] = [];

  constructor(
    private readonly output: DeployOutput,
    private readonly now: () => number,
    /** `deploying` or `destroying`, for the lines. */
    private readonly verb: string,
  ) {}

  /** The stack started last that has not finished, if any. */
  get current(): string | undefined {
    const finished = new Set(this.done.map((d) => d.stack));
    return [...this.started.keys()].reverse().find((s) => !finished.has(s));
  }

  /** What the toolkit reported as errors, in order. */
  get errorLines(): readonly string[] {
    return this.errors;
  }

  readonly onEvent = (event: ToolkitEvent): void => {
    switch (event.type) {
      case 'stack-start':
        this.started.set(event.stack, this.now());
        this.output.print(`  ${this.verb} ${event.stack}…`);
        return;
      case 'stack-done': {
        const durationMs = this.now() - (this.started.get(event.stack) ?? this.now());
        this.done.push({ stack: event.stack, durationMs, noChanges: event.noChanges === true });
        this.output.print(
          `  ✓ ${event.stack}${event.noChanges ? ' (no changes)' : ''} in ${formatElapsed(durationMs)}`,
        );
        return;
      }
      case 'resource':
        this.output.progress(
          `${event.stack} | ${event.status} ${event.resourceType} ${event.resource}${event.reason ? ` ${event.reason}` : ''}`,
        );
        return;
      case 'asset':
        this.output.progress(`asset ${event.text}`);
        return;
      case 'error':
        this.errors.push(event.text);
        this.output.print(`  ✗ ${event.text}`);
        return;
      case 'message':
        if (event.text !== '') this.output.progress(event.text);
        return;
    }
  };
}

/** `950` → `0.9 s`, `75_000` → `1 min 15 s`: what people read in a summary. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
