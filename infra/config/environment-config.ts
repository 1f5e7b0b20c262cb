// The typed shape of one deployment environment's settings (the config.global + config.<env> of the deploy flow).

/** Aurora Serverless v2 settings of an environment. */
export interface DatabaseConfig {
  /** Fewest ACUs (0 pauses when idle; 0.5 keeps it warm). */
  readonly minCapacity: number;
  /** Most ACUs. */
  readonly maxCapacity: number;
  /** Refuse deletion of the cluster; off only for disposable environments. */
  readonly deletionProtection: boolean;
}

/** Settings every environment shares unless it overrides them (config.global). */
export interface GlobalConfig {
  /** Primary VPC CIDR: public and app subnets. */
  readonly vpcCidr: string;
  /** Secondary VPC CIDR: the isolated ECS subnets. */
  readonly ecsCidr: string;
  /** Days log groups keep events; a value CloudWatch Logs accepts. */
  readonly logRetentionDays: number;
  readonly database: DatabaseConfig;
  /** Tags on every stack (and through CloudFormation, every resource). */
  readonly tags: Readonly<Record<string, string>>;
}

/** What one environment sets (config.<env>); the rest comes from GlobalConfig. */
export interface EnvironmentOverrides {
  /** Environment name: `staging`, `prod`, …; part of every stack name. */
  readonly name: string;
  /** AWS account id (12 digits). */
  readonly account: string;
  readonly region: string;
  /** Two AZs of `region`, named so synth needs no lookup. */
  readonly availabilityZones: readonly [string, string];
  /** 1 shared NAT gateway (cheaper) or 2, one per AZ (survives an AZ outage). */
  readonly natGateways: 1 | 2;
  /** Refuse `cdk destroy` / stack deletion. */
  readonly terminationProtection: boolean;
  readonly vpcCidr?: string;
  readonly ecsCidr?: string;
  readonly logRetentionDays?: number;
  readonly database?: Partial<DatabaseConfig>;
  /** Added to the global tags (same key: this one wins). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** One environment with every setting resolved: what the CDK app builds from. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly availabilityZones: readonly [string, string];
  readonly vpcCidr: string;
  readonly ecsCidr: string;
  readonly natGateways: 1 | 2;
  readonly terminationProtection: boolean;
  readonly logRetentionDays: number;
  readonly database: DatabaseConfig;
  readonly tags: Readonly<Record<string, string>>;
}
