// Platform: what every workload of one environment shares — ECS cluster, Cloud Map namespace, KMS key, AppRegistry.

import { Duration, type RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as appregistry from 'aws-cdk-lib/aws-servicecatalogappregistry';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { ConstructValidationError } from './construct-validation-error.js';
import { allowCloudWatchLogs } from './private/allow-cloudwatch-logs.js';
import { retentionDays } from './private/log-retention.js';

export interface PlatformProps {
  /** The VPC the cluster and the Cloud Map namespace belong to. */
  readonly vpc: ec2.IVpc;
  /**
   * Name of the system in this environment, e.g. `hello-fargate-staging`: names the cluster, the key alias and the
   * AppRegistry application. Letters, digits and `-`.
   */
  readonly name: string;
  /**
   * What the system is, for the AppRegistry application and the key.
   * @default - none
   */
  readonly description?: string;
  /**
   * Private DNS namespace for Service Connect and Cloud Map discovery.
   * @default `${name}.internal`
   */
  readonly namespaceName?: string;
  /**
   * Days that log groups made by `createLogGroup` keep their events (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Container Insights level of the cluster.
   * @default ecs.ContainerInsights.ENHANCED
   */
  readonly containerInsights?: ecs.ContainerInsights;
  /**
   * What happens to the KMS key when the stack is deleted. Keys hold the only way to read encrypted logs, secrets and
   * snapshots, so the default keeps it (scheduled deletion must be done by a person).
   * @default RemovalPolicy.RETAIN
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
}

/** An AppRegistry tag: the key/value that makes a resource part of the application in myApplications. */
export interface ApplicationTag {
  readonly key: string;
  readonly value: string;
}

/**
 * The environment's shared platform: an ECS cluster (Container Insights, FARGATE and FARGATE_SPOT capacity
 * providers, FARGATE by default), a Cloud Map private DNS namespace, one customer-managed KMS key (rotation on) for
 * logs, secrets and queues, and an AppRegistry application that groups every stack of the environment.
 *
 * **Cost**: the KMS key ($1/month plus requests); Container Insights enhanced bills per metric and per log GB.
 */
export class Platform extends Construct {
  readonly cluster: ecs.Cluster;
  readonly namespace: servicediscovery.INamespace;
  /** Encrypts log groups, secrets, queues and database storage; CloudWatch Logs of this account may use it. */
  readonly encryptionKey: kms.Key;
  readonly application: appregistry.CfnApplication;
  /** The `awsApplication` tag AppRegistry vends for the application. */
  readonly applicationTag: ApplicationTag;
  readonly logRetention: logs.RetentionDays;
  private readonly associated = new Set<Stack>();

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    if (!/^[A-Za-z][A-Za-z0-9-]{0,62}$/.test(props.name)) {
      throw new ConstructValidationError(this, `name "${props.name}" must be letters, digits and "-", at most 63`);
    }
    this.logRetention = retentionDays(this, 'logRetentionDays', props.logRetentionDays ?? 30);
    const description = props.description ?? props.name;

    this.encryptionKey = new kms.Key(this, 'Key', {
      alias: `alias/${props.name}`,
      description: `${description}: logs, secrets, queues and database storage`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: props.keyRemovalPolicy,
    });
    allowCloudWatchLogs(this.encryptionKey);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: props.name,
      containerInsightsV2: props.containerInsights ?? ecs.ContainerInsights.ENHANCED,
      enableFargateCapacityProviders: true,
      defaultCloudMapNamespace: {
        name: props.namespaceName ?? `${props.name}.internal`,
        type: servicediscovery.NamespaceType.DNS_PRIVATE,
        vpc: props.vpc,
        useForServiceConnect: true,
      },
    });
    // RunTask and services that name no launch type or strategy land on regular Fargate; Spot is opt-in per workload.
    this.cluster.addDefaultCapacityProviderStrategy([{ capacityProvider: 'FARGATE', weight: 1 }]);
    this.namespace = this.cluster.defaultCloudMapNamespace as servicediscovery.INamespace;

    this.application = new appregistry.CfnApplication(this, 'Application', {
      name: props.name,
      description,
    });
    // The key is fixed by AppRegistry; a literal keeps tag keys plain strings in every template.
    this.applicationTag = { key: 'awsApplication', value: this.application.attrApplicationTagValue };
  }

  /** A log group encrypted with the platform key and kept for the platform's retention. */
  createLogGroup(scope: Construct, id: string, props: { readonly removalPolicy?: RemovalPolicy } = {}): logs.LogGroup {
    return new logs.LogGroup(scope, id, {
      encryptionKey: this.encryptionKey,
      retention: this.logRetention,
      removalPolicy: props.removalPolicy,
    });
  }

  /**
   * Makes `stack` part of the AppRegistry application: a resource association (AppRegistry then shows the stack in
   * myApplications) and, for stacks deployed with or after the platform, the `awsApplication` tag on every resource.
   *
   * A stack deployed before the platform (the network) cannot reference the application, so its association lives in
   * the platform's stack, by stack name, and its resources get the tag from AppRegistry's association only.
   */
  associateStack(stack: Stack): void {
    if (this.associated.has(stack)) return;
    this.associated.add(stack);
    const own = Stack.of(this);
    if (stack !== own && own.dependencies.includes(stack)) {
      new appregistry.CfnResourceAssociation(this, `Association${stack.node.id.replace(/[^A-Za-z0-9]/g, '')}`, {
        application: this.application.attrId,
        resource: stack.stackName,
        resourceType: 'CFN_STACK',
      });
      return;
    }
    new appregistry.CfnResourceAssociation(stack, 'AppRegistryAssociation', {
      application: this.application.attrId,
      resource: stack.stackId,
      resourceType: 'CFN_STACK',
    });
    Tags.of(stack).add(this.applicationTag.key, this.applicationTag.value, {
      excludeResourceTypes: [
        // A tag whose value is the application's own attribute would be a circular reference.
        'AWS::ServiceCatalogAppRegistry::Application',
        // SAM supports intrinsic functions only partly in AWS::Serverless::* properties; a cross-stack import in
        // its Tags map is not worth the risk of a failed transform (the nested stack still gets the stack tags).
        'AWS::Serverless::Application',
      ],
    });
  }
}
