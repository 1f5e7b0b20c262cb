// A CdkToolkit stand-in: the hello-fargate stacks of staging and prod, recording every call on a shared timeline.

import type { CdkToolkit, SynthesizedStack, ToolkitActionOptions, ToolkitDiff } from '../../src/deploy/cdk-toolkit.js';

const SHARED = ['network', 'platform', 'database'];

/** Stack name part → the parts it depends on, as infra/build-app.ts wires them. */
const PARTS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['network', []],
  ['platform', ['network']],
  ['database', ['network', 'platform']],
  ['queues', ['platform']],
  ['batch-queues', SHARED],
  ['oneoff', SHARED],
  ['backend', [...SHARED, 'queues']],
  ['webapi', [...SHARED, 'backend']],
  ['webapp', [...SHARED, 'backend']],
  ['main-job', [...SHARED, 'queues']],
  ['background-job', [...SHARED, 'queues']],
  ['order-stats', [...SHARED, 'queues']],
  ['rescore-orders', [...SHARED, 'batch-queues']],
  ['wf-daily-sales-report', [...SHARED, 'queues']],
];

/** `hello-fargate-<env>-<part>`. */
export const stack = (part: string, env = 'staging') => `hello-fargate-${env}-${part}`;

/** Every stack of both environments, prod's first as the CDK app lists them interleaved. */
export function helloFargateStacks(): SynthesizedStack[] {
  return ['prod', 'staging'].flatMap((env) =>
    PARTS.map(([part, deps]) => ({
      name: stack(part, env),
      dependencies: deps.map((d) => stack(d, env)),
      terminationProtection: env === 'prod',
    })),
  );
}

export interface StubToolkitOptions {
  /** Deploying or destroying this stack fails after its start, as a CloudFormation rollback would. */
  readonly failOn?: string;
  /** What diff answers. @default - no differences */
  readonly diff?: ToolkitDiff;
}

/** Records `synth`, `deploy <stacks>` and `destroy <stacks>` on `timeline`, emitting events like the CDK CLI's. */
export class StubToolkit implements CdkToolkit {
  readonly calls: { action: string; stacks: readonly string[] }[] = [];

  constructor(
    readonly timeline: string[] = [],
    private readonly options: StubToolkitOptions = {},
  ) {}

  /** Stacks passed to deploy, over every call, in order. */
  get deployed(): string[] {
    return this.calls.filter((c) => c.action === 'deploy').flatMap((c) => c.stacks);
  }

  async synth(): Promise<readonly SynthesizedStack[]> {
    this.record('synth', []);
    return helloFargateStacks();
  }

  async deploy(stackNames: readonly string[], options: ToolkitActionOptions): Promise<void> {
    this.record('deploy', stackNames);
    this.act(stackNames, options);
  }

  async diff(stackNames: readonly string[]): Promise<ToolkitDiff> {
    this.record('diff', stackNames);
    return this.options.diff ?? { text: '', hasChanges: false };
  }

  async destroy(stackNames: readonly string[], options: ToolkitActionOptions): Promise<void> {
    this.record('destroy', stackNames);
    this.act(stackNames, options);
  }

  private act(stackNames: readonly string[], { onEvent }: ToolkitActionOptions): void {
    for (const name of stackNames) {
      onEvent({ type: 'stack-start', stack: name });
      this.timeline.push(`stack ${name}`);
      onEvent({
        type: 'resource',
        stack: name,
        status: 'UPDATE_COMPLETE',
        resourceType: 'AWS::CloudFormation::Stack',
        resource: name,
      });
      if (name === this.options.failOn) {
        onEvent({ type: 'error', stack: name, text: `❌  ${name} failed: The stack named ${name} failed to deploy` });
        throw new Error('cdk deploy exited with code 1');
      }
      onEvent({ type: 'stack-done', stack: name });
    }
  }

  private record(action: string, stacks: readonly string[]): void {
    this.calls.push({ action, stacks: [...stacks] });
    this.timeline.push(`${action}${stacks.length > 0 ? ` ${stacks.join(',')}` : ''}`);
  }
}

/** An output that keeps every line, printed or progress. */
export function recordingOutput() {
  const printed: string[] = [];
  const progress: string[] = [];
  return {
    printed,
    progress,
    output: { print: (line: string) => printed.push(line), progress: (line: string) => progress.push(line) },
  };
}
