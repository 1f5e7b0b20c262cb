// What `hf deploy|diff|destroy` need from the AWS CDK: synthesize, then deploy, diff or destroy named stacks.

/** One CloudFormation stack of the synthesized cloud assembly. */
export interface SynthesizedStack {
  /** The CloudFormation stack name, e.g. `hello-fargate-staging-backend`. */
  readonly name: string;
  /** Names of the stacks it depends on directly (asset artifacts left out). */
  readonly dependencies: readonly string[];
  /** Whether CloudFormation refuses to delete it. @default false */
  readonly terminationProtection?: boolean;
}

/** Something the toolkit reports while it works, already parsed from the CDK CLI's output. */
export type ToolkitEvent =
  /** The toolkit started deploying or destroying this stack. */
  | { readonly type: 'stack-start'; readonly stack: string }
  /** The stack is deployed (or had no changes) or destroyed. */
  | { readonly type: 'stack-done'; readonly stack: string; readonly noChanges?: boolean }
  /** One CloudFormation stack event. */
  | {
      readonly type: 'resource';
      readonly stack: string;
      readonly status: string;
      readonly resourceType: string;
      readonly resource: string;
      readonly reason?: string;
    }
  /** An image or file asset being built or published (content-hash tags, by the CDK CLI). */
  | { readonly type: 'asset'; readonly text: string }
  /** A failure the CDK CLI reported, with the stack when it named one. */
  | { readonly type: 'error'; readonly text: string; readonly stack?: string }
  /** Any other line. */
  | { readonly type: 'message'; readonly text: string };

export interface ToolkitActionOptions {
  /** Receives every event, in order. */
  readonly onEvent: (event: ToolkitEvent) => void;
}

/** What `diff` found. */
export interface ToolkitDiff {
  /** The diff as the CDK CLI prints it (colours removed). */
  readonly text: string;
  /** Whether any stack differs from what is deployed. */
  readonly hasChanges: boolean;
}

/**
 * The CDK operations the deploy orchestration uses. `CdkCliToolkit` drives the installed aws-cdk CLI; tests pass a stub.
 * Every method acts on exactly the stacks named (never on their dependencies) and rejects when the CDK fails.
 */
export interface CdkToolkit {
  /** Synthesizes the app once; later calls act on this assembly. Resolves with every stack of every environment. */
  synth(): Promise<readonly SynthesizedStack[]>;
  /** Builds and publishes the stacks' assets, then deploys them (dependencies first among those named). */
  deploy(stackNames: readonly string[], options: ToolkitActionOptions): Promise<void>;
  /** Compares the stacks with what is deployed. */
  diff(stackNames: readonly string[]): Promise<ToolkitDiff>;
  /** Deletes the stacks (dependents first among those named). */
  destroy(stackNames: readonly string[], options: ToolkitActionOptions): Promise<void>;
}
