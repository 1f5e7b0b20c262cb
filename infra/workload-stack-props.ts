// What the CDK app hands every workload's stack (usecases/<name>/infra/): its declaration and the shared stacks.

import type { Database, Network, Platform } from '@hello-fargate/constructs';
import type { System, Workload } from '@hello-fargate/workload';
import type { Stack, StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from './config/index.js';

export interface WorkloadStackProps extends StackProps {
  readonly system: System;
  readonly config: EnvironmentConfig;
  readonly workload: Workload;
  readonly network: Network;
  readonly platform: Platform;
  readonly database: Database;
  /** Absolute path of the repository root: the Docker build context of every per-app Dockerfile. */
  readonly buildContext: string;
}

/** Creates one workload's stack. */
export type WorkloadStackFactory = (scope: Construct, id: string, props: WorkloadStackProps) => Stack;
