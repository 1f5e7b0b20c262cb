// The error a construct throws for props it cannot build from, naming the construct path so a person can find it.

import type { IConstruct } from 'constructs';

/**
 * A construct's props cannot produce a deployable resource.
 *
 * aws-cdk-lib's own `ValidationError` is marked internal (its constructor takes a branded literal), so this project
 * carries its own with the same shape: the message starts with the construct path.
 */
export class ConstructValidationError extends Error {
  override readonly name = 'ConstructValidationError';
  readonly code = 'HF_INVALID_CONSTRUCT_PROPS';
  /** Path of the construct in the tree, e.g. `hello-fargate-staging-network/Network`. */
  readonly constructPath: string;

  constructor(scope: IConstruct, message: string) {
    super(`${scope.node.path}: ${message}`);
    this.constructPath = scope.node.path;
  }
}
