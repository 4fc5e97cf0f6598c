/**
 * AWS Secrets Manager and STS through aws4fetch (SigV4). Nothing else in the worker knows about AWS signing.
 * AWS's JSON error bodies (`__type`) become AwsError; throttling and 5xx are retried with exponential backoff and
 * jitter, within a subrequest budget so a request never exceeds Workers' per-request limit.
 */
import { AwsClient } from 'aws4fetch';

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsTarget {
  region: string;
  /** Where to send requests instead of AWS (AWS_ENDPOINT_URL), e.g. a local stand-in. */
  endpoint?: string;
  /** First backoff delay in ms (doubles each attempt, with jitter). */
  retryBaseMs?: number;
}

export class AwsError extends Error {
  constructor(
    /** AWS's error type, such as ResourceNotFoundException, or NetworkError when AWS could not be reached. */
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AwsError';
  }
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429 || /Throttling|TooManyRequests|RequestLimitExceeded/.test(this.type) || this.type === 'NetworkError';
  }
  /** "ThrottlingException: Rate exceeded" — what users see; AWS messages carry no secret values. */
  describe(): string {
    return `${this.type}: ${this.message}`;
  }
}

export class BudgetExceededError extends Error {
  constructor(ceiling: number) {
    super(`the request used all ${ceiling} subrequests it may make (MAX_SUBREQUESTS)`);
    this.name = 'BudgetExceededError';
  }
}

/** Counts outbound requests against Workers' per-request subrequest ceiling. */
export class SubrequestBudget {
  used = 0;
  constructor(readonly ceiling: number) {}
  spend(): void {
    if (this.used >= this.ceiling) throw new BudgetExceededError(this.ceiling);
    this.used++;
  }
  get remaining(): number {
    return this.ceiling - this.used;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function endpointFor(service: 'secretsmanager' | 'sts', target: AwsTarget): string {
  if (target.endpoint) return target.endpoint.replace(/\/+$/, '') + '/';
  return `https://${service}.${target.region}.amazonaws.com/`;
}

async function errorFrom(res: Response): Promise<AwsError> {
  const text = await res.text();
  let type = `HTTP${res.status}`;
  let message = text.slice(0, 300);
  try {
    const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
    if (body.__type) type = body.__type.split('#').pop()!;
    message = body.message ?? body.Message ?? message;
  } catch {
    const xmlCode = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const xmlMessage = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    if (xmlCode) type = xmlCode;
    if (xmlMessage !== undefined) message = xmlMessage;
  }
  return new AwsError(type, message || res.statusText, res.status);
}

/** Calls `attempt` until it succeeds, fails for good, runs out of attempts or of budget. */
async function withRetries<T>(attempt: () => Promise<T>, maxAttempts: number, baseMs: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof AwsError) || !err.retryable || i >= maxAttempts) throw err;
      const cap = baseMs * 2 ** (i - 1);
      await sleep(cap / 2 + Math.random() * (cap / 2));
    }
  }
}

export interface CreateSecretInput {
  name: string;
  value: string;
  clientRequestToken: string;
  description: string;
  tags: Record<string, string>;
}

export interface SecretRef {
  arn: string;
  name: string;
}

/** A Secrets Manager client for one account and region; each call spends from `budget`. */
export function secretsManager(keys: AwsKeys, target: AwsTarget, budget: SubrequestBudget) {
  const aws = new AwsClient({ ...keys, service: 'secretsmanager', region: target.region, retries: 0 });
  const url = endpointFor('secretsmanager', target);
  const baseMs = target.retryBaseMs ?? 200;

  async function call<T>(operation: string, body: unknown): Promise<T> {
    budget.spend();
    let res: Response;
    try {
      res = await aws.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${operation}` },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new AwsError('NetworkError', `Secrets Manager in ${target.region} could not be reached (${(err as Error).message})`, 0);
    }
    if (!res.ok) throw await errorFrom(res);
    return (await res.json()) as T;
  }

  return {
    async createSecret(input: CreateSecretInput, maxAttempts = 3): Promise<SecretRef> {
      const out = await withRetries(
        () =>
          call<{ ARN: string; Name: string }>('CreateSecret', {
            Name: input.name,
            SecretString: input.value,
            ClientRequestToken: input.clientRequestToken,
            Description: input.description,
            Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        maxAttempts,
        baseMs,
      );
      return { arn: out.ARN, name: out.Name };
    },

    /** Deletes at once (no recovery window). A secret that is already gone counts as deleted. */
    async deleteSecret(secretId: string, maxAttempts = 5): Promise<'deleted' | 'absent'> {
      try {
        await withRetries(() => call('DeleteSecret', { SecretId: secretId, ForceDeleteWithoutRecovery: true }), maxAttempts, baseMs);
        return 'deleted';
      } catch (err) {
        if (err instanceof AwsError && err.type === 'ResourceNotFoundException') return 'absent';
        throw err;
      }
    },
  };
}

/** Temporary keys for `roleArn` through STS AssumeRole (Query protocol, SigV4 via aws4fetch). */
export async function assumeRole(keys: AwsKeys, roleArn: string, sessionName: string, target: AwsTarget, budget: SubrequestBudget): Promise<AwsKeys> {
  const aws = new AwsClient({ ...keys, service: 'sts', region: target.region, retries: 0 });
  const form = new URLSearchParams({ Action: 'AssumeRole', Version: '2011-06-15', RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: '3600' });
  const res = await withRetries(
    async () => {
      budget.spend();
      let r: Response;
      try {
        r = await aws.fetch(endpointFor('sts', target), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body: form.toString(),
        });
      } catch (err) {
        throw new AwsError('NetworkError', `STS in ${target.region} could not be reached (${(err as Error).message})`, 0);
      }
      if (!r.ok) throw await errorFrom(r);
      return r.text();
    },
    3,
    target.retryBaseMs ?? 200,
  );
  const pick = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(res)?.[1];
  const accessKeyId = pick('AccessKeyId');
  const secretAccessKey = pick('SecretAccessKey');
  const sessionToken = pick('SessionToken');
  if (!accessKeyId || !secretAccessKey || !sessionToken) throw new AwsError('MalformedResponse', 'STS AssumeRole answered without credentials', 502);
  return { accessKeyId, secretAccessKey, sessionToken };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return results;
}
