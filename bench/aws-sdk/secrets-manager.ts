/**
 * Bench only, never shipped: the worker's secrets-manager.ts interface implemented with the AWS SDK for JavaScript v3
 * instead of aws4fetch, to measure what the SDK would cost in bundle size.
 */
import { CreateSecretCommand, DeleteSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsKeys, AwsTarget, CreateSecretInput, SecretRef, SubrequestBudget } from './secrets-manager.aws4fetch';

export { AwsError, BudgetExceededError, mapLimit, SubrequestBudget } from './secrets-manager.aws4fetch';
export type { AwsKeys, AwsTarget, CreateSecretInput, SecretRef } from './secrets-manager.aws4fetch';

export function secretsManager(keys: AwsKeys, target: AwsTarget, budget: SubrequestBudget) {
  const client = new SecretsManagerClient({ region: target.region, credentials: keys, endpoint: target.endpoint, maxAttempts: 3 });
  return {
    async createSecret(input: CreateSecretInput): Promise<SecretRef> {
      budget.spend();
      const out = await client.send(
        new CreateSecretCommand({
          Name: input.name,
          SecretString: input.value,
          ClientRequestToken: input.clientRequestToken,
          Description: input.description,
          Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
      return { arn: out.ARN!, name: out.Name! };
    },
    async deleteSecret(secretId: string): Promise<'deleted' | 'absent'> {
      budget.spend();
      try {
        await client.send(new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true }));
        return 'deleted';
      } catch (err) {
        if (err instanceof ResourceNotFoundException) return 'absent';
        throw err;
      }
    },
  };
}

export async function assumeRole(keys: AwsKeys, roleArn: string, sessionName: string, target: AwsTarget, budget: SubrequestBudget): Promise<AwsKeys> {
  budget.spend();
  const sts = new STSClient({ region: target.region, credentials: keys, endpoint: target.endpoint });
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}
