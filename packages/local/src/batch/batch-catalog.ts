// The job queues and job definitions a LocalBatch knows: checked once, resolved by name or ARN, described AWS-style.

import { BatchClientError } from './batch-client-error.js';
import type { JobDefinitionSpec, JobQueueSpec } from './batch-types.js';
import { resolveRetryStrategy } from './retry-strategy.js';

export const LOCAL_ACCOUNT = '000000000000';

const QUEUE_ARN = /^arn:aws[a-z-]*:batch:[^:]*:[^:]*:job-queue\/(.+)$/;
const DEFINITION_ARN = /^arn:aws[a-z-]*:batch:[^:]*:[^:]*:job-definition\/(.+)$/;

/** Queues and definitions by name, with their ARNs in `region` and the local account. */
export class BatchCatalog {
  readonly queues = new Map<string, JobQueueSpec>();
  readonly definitions = new Map<string, JobDefinitionSpec>();

  constructor(
    queues: readonly JobQueueSpec[],
    definitions: readonly JobDefinitionSpec[],
    readonly region: string,
  ) {
    for (const queue of queues) {
      if (this.queues.has(queue.name)) throw new Error(`LocalBatch: job queue ${queue.name} is configured twice.`);
      if (!(typeof queue.maxvCpus === 'number' && queue.maxvCpus > 0)) {
        throw new Error(`LocalBatch: job queue ${queue.name} needs maxvCpus > 0 (got ${String(queue.maxvCpus)}).`);
      }
      this.queues.set(queue.name, queue);
    }
    for (const definition of definitions) {
      if (this.definitions.has(definition.name)) {
        throw new Error(`LocalBatch: job definition ${definition.name} is configured twice.`);
      }
      if (!(typeof definition.vcpus === 'number' && definition.vcpus > 0)) {
        throw new Error(
          `LocalBatch: job definition ${definition.name} needs vcpus > 0 (got ${String(definition.vcpus)}).`,
        );
      }
      resolveRetryStrategy(definition.retryStrategy, `Job definition ${definition.name}`);
      this.definitions.set(definition.name, definition);
    }
  }

  queueArn(name: string): string {
    return `arn:aws:batch:${this.region}:${LOCAL_ACCOUNT}:job-queue/${name}`;
  }

  definitionArn(definition: JobDefinitionSpec): string {
    return `arn:aws:batch:${this.region}:${LOCAL_ACCOUNT}:job-definition/${definition.name}:${definition.revision ?? 1}`;
  }

  /** DescribeJobQueues' jobQueues: the queues named (names or ARNs; unknown ones left out), or all. */
  describeJobQueues(refs: readonly string[] | undefined): Record<string, unknown>[] {
    const queues = refs?.length ? refs.flatMap((ref) => this.findQueue(ref) ?? []) : [...this.queues.values()];
    return queues.map((queue) => ({
      jobQueueName: queue.name,
      jobQueueArn: this.queueArn(queue.name),
      state: 'ENABLED',
      status: 'VALID',
      statusReason: 'JobQueue Healthy',
      priority: queue.priority ?? 1,
      computeEnvironmentOrder: [
        {
          order: 1,
          computeEnvironment: `arn:aws:batch:${this.region}:${LOCAL_ACCOUNT}:compute-environment/${queue.name}`,
        },
      ],
      jobQueueType: 'ECS_FARGATE',
      tags: {},
    }));
  }

  /** DescribeJobDefinitions' jobDefinitions, narrowed by names/ARNs, jobDefinitionName and status as AWS does. */
  describeJobDefinitions(input: {
    readonly jobDefinitions?: readonly string[];
    readonly jobDefinitionName?: string;
    readonly status?: string;
  }): Record<string, unknown>[] {
    let definitions = [...this.definitions.values()];
    if (input.jobDefinitions?.length) {
      definitions = input.jobDefinitions.flatMap((ref) => this.findDefinition(ref) ?? []);
    }
    if (input.jobDefinitionName !== undefined) {
      definitions = definitions.filter((d) => d.name === input.jobDefinitionName);
    }
    if (input.status !== undefined && input.status !== 'ACTIVE') definitions = [];
    return definitions.map((d) => {
      const retryStrategy = resolveRetryStrategy(d.retryStrategy, `Job definition ${d.name}`);
      return {
        jobDefinitionName: d.name,
        jobDefinitionArn: this.definitionArn(d),
        revision: d.revision ?? 1,
        status: 'ACTIVE',
        type: 'container',
        platformCapabilities: ['FARGATE'],
        containerProperties: {
          image: d.image ?? 'local',
          command: d.command,
          environment: Object.entries(d.environment ?? {}).map(([name, value]) => ({ name, value })),
          resourceRequirements: [
            { type: 'VCPU', value: String(d.vcpus) },
            { type: 'MEMORY', value: String(d.memory) },
          ],
        },
        retryStrategy: {
          attempts: retryStrategy.attempts,
          ...(retryStrategy.evaluateOnExit.length > 0 && { evaluateOnExit: retryStrategy.evaluateOnExit }),
        },
        ...(d.timeout?.attemptDurationSeconds !== undefined && { timeout: d.timeout }),
        tags: {},
      };
    });
  }

  /** The queue named by `ref` (name or ARN), or undefined. */
  findQueue(ref: string): JobQueueSpec | undefined {
    return this.queues.get(QUEUE_ARN.exec(ref)?.[1] ?? ref);
  }

  /** The queue named by `ref`; a ClientException listing the known queues otherwise. */
  resolveQueue(ref: unknown): JobQueueSpec {
    const queue = typeof ref === 'string' ? this.findQueue(ref) : undefined;
    if (!queue) {
      throw new BatchClientError(
        `Job queue ${JSON.stringify(ref)} does not exist; known job queues: ${[...this.queues.keys()].join(', ') || 'none'}.`,
      );
    }
    return queue;
  }

  /** The definition named by `ref` (`name`, `name:revision` or ARN), or undefined. */
  findDefinition(ref: string): JobDefinitionSpec | undefined {
    const bare = DEFINITION_ARN.exec(ref)?.[1] ?? ref;
    const match = /^(.*):(\d+)$/.exec(bare);
    const definition = this.definitions.get(match ? (match[1] as string) : bare);
    if (definition && match && Number(match[2]) !== (definition.revision ?? 1)) return undefined;
    return definition;
  }

  resolveDefinition(ref: unknown): JobDefinitionSpec {
    const definition = typeof ref === 'string' ? this.findDefinition(ref) : undefined;
    if (!definition) {
      const known = [...this.definitions.values()].map((d) => `${d.name}:${d.revision ?? 1}`);
      throw new BatchClientError(
        `Job definition ${JSON.stringify(ref)} does not exist; known job definitions: ${known.join(', ') || 'none'}.`,
      );
    }
    return definition;
  }
}
