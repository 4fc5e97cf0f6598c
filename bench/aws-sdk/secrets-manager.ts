/**
 * Bench only, never shipped: the worker's secrets-manager.ts interface implemented with the AWS SDK for JavaScript v3
 * instead of aws4fetch, to measure what the SDK would cost in bundle size. Everything that is not an AWS call (errors,
 * budget, connection limit) is the shipped module's own; it must export every name the shipped module does.
 */
import { CreateSecretCommand, DeleteSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  type AwsIdentity, type AwsKeys, type AwsTarget, accountOfArn, AwsError, type CreateSecretInput, NotSentError, type SecretRef, type SendWhen,
  type SubrequestBudget,
} from './secrets-manager.aws4fetch';

export {
  accountOfArn, AwsError, BudgetExceededError, ConnectionLimiter, MAX_OPEN_CONNECTIONS, mapLimit, NotSentError, SubrequestBudget, withoutFinalPeriod,
} from './secrets-manager.aws4fetch';
export type { AwsIdentity, AwsKeys, AwsTarget, CreateSecretInput, SecretRef, SendWhen } from './secrets-manager.aws4fetch';

export function secretsManager(keys: AwsKeys, target: AwsTarget, budget: SubrequestBudget) {
  const client = new SecretsManagerClient({ region: target.region, credentials: keys, endpoint: target.endpoint, maxAttempts: 3 });
  return {
    async createSecret(input: CreateSecretInput, _maxAttempts = 3, when: SendWhen = {}): Promise<SecretRef> {
      budget.spend();
      if (when.after) await when.after;
      return budget.connections.run(async () => {
        if (when.unless?.()) throw new NotSentError();
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
      });
    },
    async deleteSecret(secretId: string): Promise<'deleted' | 'absent'> {
      budget.spend();
      try {
        await budget.connections.run(() => client.send(new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true })));
        return 'deleted';
      } catch (err) {
        if (err instanceof ResourceNotFoundException) return 'absent';
        throw err;
      }
    },
  };
}

const sts = (keys: AwsKeys, target: AwsTarget) => new STSClient({ region: target.region, credentials: keys, endpoint: target.endpoint, maxAttempts: 3 });

export async function getCallerIdentity(keys: AwsKeys, target: AwsTarget, budget: SubrequestBudget): Promise<AwsIdentity> {
  budget.spend();
  const out = await budget.connections.run(() => sts(keys, target).send(new GetCallerIdentityCommand({})));
  if (!out.Account || !out.Arn) throw new AwsError('MalformedResponse', 'STS GetCallerIdentity answered without an account', 502);
  return { accountId: out.Account, arn: out.Arn };
}

export async function assumeRole(
  keys: AwsKeys,
  roleArn: string,
  sessionName: string,
  target: AwsTarget,
  budget: SubrequestBudget,
  externalId?: string | null,
): Promise<{ keys: AwsKeys; identity: AwsIdentity }> {
  budget.spend();
  const out = await budget.connections.run(() =>
    sts(keys, target).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600, ExternalId: externalId ?? undefined })),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new AwsError('MalformedResponse', 'STS AssumeRole answered without credentials', 502);
  const arn = out.AssumedRoleUser?.Arn ?? roleArn;
  const accountId = accountOfArn(arn);
  if (!accountId) throw new AwsError('MalformedResponse', 'STS AssumeRole answered with a session ARN that names no account', 502);
  return { keys: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }, identity: { accountId, arn } };
}
