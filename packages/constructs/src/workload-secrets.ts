// WorkloadSecrets: one Secrets Manager secret per secret name a workload declares, for an operator to fill in.

import type { Workload } from '@hello-fargate/workload';
import { Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface WorkloadSecretsProps {
  /** The workload whose `secrets` names get a secret each. */
  readonly workload: Workload;
  /**
   * Prefix of the secret names; a secret is named `<prefix>/<NAME>`.
   * @default - the workload name
   */
  readonly namePrefix?: string;
  /**
   * Key that encrypts the secrets.
   * @default - the account's `aws/secretsmanager` key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * Creates a secret per declared secret name, holding a random placeholder until an operator stores the real value
 * (`aws secretsmanager put-secret-value --secret-id <prefix>/<NAME> --secret-string …`); tasks read it at start.
 */
export class WorkloadSecrets extends Construct {
  /** Secret per declared name, ready for `OneOffTaskProps.secrets`. */
  readonly secrets: Readonly<Record<string, secretsmanager.ISecret>>;

  constructor(scope: Construct, id: string, props: WorkloadSecretsProps) {
    super(scope, id);
    const prefix = props.namePrefix ?? props.workload.name;
    const secrets: Record<string, secretsmanager.ISecret> = {};
    for (const name of props.workload.secrets) {
      const secret = new secretsmanager.Secret(this, name, {
        secretName: `${prefix}/${name}`,
        description: `${name} for workload ${props.workload.name}; set by an operator`,
        encryptionKey: props.encryptionKey,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The value is issued by a third party (API key, token) and stored by an operator; Secrets Manager ' +
          'cannot rotate it, rotation happens at the issuer followed by put-secret-value.',
      });
      secrets[name] = secret;
    }
    this.secrets = secrets;
  }
}
