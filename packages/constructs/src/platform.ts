// Platform: what every workload of one environment shares — ECS cluster, Cloud Map namespace, KMS key, alarm topic,
// AppRegistry.

import { ArnFormat, Duration, type RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as appregistry from 'aws-cdk-lib/aws-servicecatalogappregistry';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
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
  /**
   * Email addresses subscribed to `alarmTopic`. Each gets a confirmation mail from SNS and receives nothing until
   * it confirms.
   * @default - none: the topic exists, subscribe to it yourself (email, chat, incident tool)
   */
  readonly alarmEmails?: readonly string[];
}

/** What an email subscription needs: one `@`, no spaces, a dot in the domain. SNS checks the rest when it mails. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An AppRegistry tag: the key/value that makes a resource part of the application in myApplications. */
export interface ApplicationTag {
  readonly key: string;
  readonly value: string;
}

/**
 * The environment's shared platform: an ECS cluster (Container Insights, FARGATE and FARGATE_SPOT capacity
 * providers, FARGATE by default), a Cloud Map private DNS namespace, one customer-managed KMS key (rotation on) for
 * logs, secrets and queues, an SNS topic every alarm of the environment notifies, and an AppRegistry application that
 * groups every stack of the environment.
 *
 * **Cost**: the KMS key ($1/month plus requests); Container Insights enhanced bills per metric and per log GB; the
 * alarm topic bills per notification (the first 1,000 emails a month are free).
 */
export class Platform extends Construct {
  readonly cluster: ecs.Cluster;
  readonly namespace: servicediscovery.INamespace;
  /**
   * Encrypts log groups, secrets, queues, database storage and the alarm topic; CloudWatch Logs and CloudWatch alarms
   * of this account may use it.
   */
  readonly encryptionKey: kms.Key;
  /**
   * `<name>-alarms`: the topic every alarm of the environment notifies. Encrypted with `encryptionKey`, TLS only,
   * and only CloudWatch alarms of this account and region may publish to it.
   */
  readonly alarmTopic: sns.Topic;
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
    this.alarmTopic = this.createAlarmTopic(props.name, description, props.alarmEmails ?? []);

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

  /**
   * The alarm topic, its publish policy (CloudWatch alarms of this account and region only), the key policy statement
   * CloudWatch needs to publish to a topic encrypted with a customer-managed key, and the email subscriptions.
   */
  private createAlarmTopic(name: string, description: string, emails: readonly string[]): sns.Topic {
    emails.forEach((email, i) => {
      if (!EMAIL.test(email)) {
        throw new ConstructValidationError(this, `alarmEmails[${i}] "${email}" is not an email address (name@domain)`);
      }
    });
    const stack = Stack.of(this);
    const topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${name}-alarms`,
      displayName: `${description}: alarms`,
      masterKey: this.encryptionKey,
      enforceSSL: true,
    });
    // Confused-deputy conditions: CloudWatch may act only for this account's alarms in this region.
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    // SNS encrypts each message with a data key made for the publisher, so CloudWatch needs these on the key.
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
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
