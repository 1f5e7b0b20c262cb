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

/** The Route 53 public hosted zone the environment's web workloads get their host names in. */
export interface DnsConfig {
  /** Zone name, e.g. `staging.example.com`; a web workload is reached at `<workload>.<zoneName>`. */
  readonly zoneName: string;
  /** Hosted zone id (`Z…`), named so synth needs no Route 53 lookup. */
  readonly hostedZoneId: string;
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
  /** Refuse deletion of the web workloads' load balancers; off only for disposable environments. */
  readonly loadBalancerDeletionProtection: boolean;
  /** Tags on every stack (and through CloudFormation, every resource). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Email addresses subscribed to the environment's alarm topic (`<system>-<env>-alarms`); each must confirm the
   * mail SNS sends before it receives alarms.
   * @default - none: the topic exists, subscribe to it yourself
   */
  readonly alarmEmails?: readonly string[];
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
  readonly loadBalancerDeletionProtection?: boolean;
  /** Zone of the web workloads' host names; required once system.ts has a webapp or an ALB-fronted webapi. */
  readonly dns?: DnsConfig;
  /** Added to the global tags (same key: this one wins). */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Replaces the global `alarmEmails` for this environment (`[]`: no email subscription here).
   * @default - the global `alarmEmails`
   */
  readonly alarmEmails?: readonly string[];
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
  readonly loadBalancerDeletionProtection: boolean;
  readonly dns: DnsConfig | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Subscribed to the alarm topic; empty when nobody is (the topic still exists). */
  readonly alarmEmails: readonly string[];
}
