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
  /**
   * "ThrottlingException: Rate exceeded" — what users see, without a closing period so it reads cleanly inside a
   * sentence. Secret values the request carried were already cut out of the message (see errorFrom).
   */
  describe(): string {
    return `${this.type}: ${withoutFinalPeriod(this.message)}`;
  }
}

/** "Rate exceeded." → "Rate exceeded": callers put AWS's words inside their own sentences. */
export const withoutFinalPeriod = (text: string) => text.trim().replace(/[.\s]+$/, '');

export class BudgetExceededError extends Error {
  constructor(ceiling: number) {
    super(`the request used all ${ceiling} subrequests it may make (MAX_SUBREQUESTS)`);
    this.name = 'BudgetExceededError';
  }
}

/** Workers allow 6 simultaneous open connections per request. */
export const MAX_OPEN_CONNECTIONS = 6;

/** At most `limit` calls in flight at once, shared by everything one request does (e.g. several runs swept at once). */
export class ConnectionLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(readonly limit = MAX_OPEN_CONNECTIONS) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Counts outbound requests against Workers' per-request subrequest ceiling, and limits how many are open at once. */
export class SubrequestBudget {
  used = 0;
  constructor(
    readonly ceiling: number,
    readonly connections = new ConnectionLimiter(),
  ) {}
  spend(): void {
    if (this.used >= this.ceiling) throw new BudgetExceededError(this.ceiling);
    this.used++;
  }
  get remaining(): number {
    return this.ceiling - this.used;
  }
  /**
   * Sets aside up to `wanted` (at least `needed`) subrequests for one piece of work, sharing the connection limit;
   * null when fewer than `needed` are left. Give back what the piece did not use with `giveBack`.
   */
  carve(needed: number, wanted = needed): SubrequestBudget | null {
    if (this.remaining < needed) return null;
    const share = Math.min(this.remaining, Math.max(needed, wanted));
    this.used += share;
    return new SubrequestBudget(share, this.connections);
  }
  giveBack(part: SubrequestBudget): void {
    this.used -= part.remaining;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function endpointFor(service: 'secretsmanager' | 'sts', target: AwsTarget): string {
  if (target.endpoint) return target.endpoint.replace(/\/+$/, '') + '/';
  return `https://${service}.${target.region}.amazonaws.com/`;
}

/** Replaces every value in `secrets` found in `text` (e.g. an endpoint echoing the request) so no error carries one. */
function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

async function errorFrom(res: Response, secrets: ReadonlyArray<string | undefined> = []): Promise<AwsError> {
  const text = redact((await res.text()).slice(0, 64 * 1024), secrets);
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
  return new AwsError(type, redact(message, secrets) || res.statusText, res.status);
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

/** When a signed call may go: after `after` resolves, and not if `unless()` is true by the time a connection is free. */
export interface SendWhen {
  after?: Promise<unknown>;
  unless?: () => boolean;
}

/** A call that was prepared but not sent, because its `unless` said so (e.g. another create of the launch failed). */
export class NotSentError extends Error {
  constructor() {
    super('not sent: the launch failed first');
    this.name = 'NotSentError';
  }
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

  /**
   * One call. It is signed before it waits for one of the open connections (signing is CPU work, done while other
   * calls are in flight), and sent only once `after` has settled well, e.g. once the run is recorded in D1.
   */
  async function call<T>(operation: string, body: { SecretString?: string } & Record<string, unknown>, when: SendWhen = {}): Promise<T> {
    budget.spend();
    const secrets = [keys.secretAccessKey, keys.sessionToken, body.SecretString];
    const signed = await aws.sign(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${operation}` },
      body: JSON.stringify(body),
    });
    if (when.after) await when.after;
    return budget.connections.run(async () => {
      if (when.unless?.()) throw new NotSentError();
      let res: Response;
      try {
        res = await fetch(signed);
      } catch (err) {
        throw new AwsError('NetworkError', `Secrets Manager in ${target.region} could not be reached (${redact(withoutFinalPeriod((err as Error).message), secrets)})`, 0);
      }
      if (!res.ok) throw await errorFrom(res, secrets);
      return (await res.json()) as T;
    });
  }

  return {
    /**
     * Creates one secret. With `when.after`, the request is signed at once but sent only when `after` has resolved
     * (it throws, sending nothing, if `after` rejects): a launch signs its first creates while it records the run.
     * With `when.unless`, a request that finds it true when its connection comes throws NotSentError instead.
     */
    async createSecret(input: CreateSecretInput, maxAttempts = 3, when: SendWhen = {}): Promise<SecretRef> {
      const out = await withRetries(
        () =>
          call<{ ARN: string; Name: string }>(
            'CreateSecret',
            {
              Name: input.name,
              SecretString: input.value,
              ClientRequestToken: input.clientRequestToken,
              Description: input.description,
              Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
            },
            when,
          ),
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

/** One STS Query-protocol call (SigV4 via aws4fetch), retried on throttling and 5xx; answers the XML text. */
async function stsCall(keys: AwsKeys, params: Record<string, string>, target: AwsTarget, budget: SubrequestBudget): Promise<string> {
  const aws = new AwsClient({ ...keys, service: 'sts', region: target.region, retries: 0 });
  const form = new URLSearchParams({ ...params, Version: '2011-06-15' });
  const secrets = [keys.secretAccessKey, keys.sessionToken];
  return withRetries(
    async () => {
      budget.spend();
      return budget.connections.run(async () => {
        let r: Response;
        try {
          r = await aws.fetch(endpointFor('sts', target), {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
            body: form.toString(),
          });
        } catch (err) {
          throw new AwsError('NetworkError', `STS in ${target.region} could not be reached (${redact(withoutFinalPeriod((err as Error).message), secrets)})`, 0);
        }
        if (!r.ok) throw await errorFrom(r, secrets);
        return (await r.text()).slice(0, 64 * 1024);
      });
    },
    3,
    target.retryBaseMs ?? 200,
  );
}

const xmlValue = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(xml)?.[1];
/** The 12-digit account of an IAM or STS ARN (arn:aws:iam::123456789012:role/x, arn:aws:sts::…:assumed-role/…). */
export const accountOfArn = (arn: string) => /^arn:aws(?:-[a-z]+)*:(?:iam|sts|secretsmanager):[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1] ?? null;

export interface AwsIdentity {
  /** The 12-digit account the keys act in. */
  accountId: string;
  /** The caller's ARN: an IAM user, or an assumed-role session. */
  arn: string;
}

/** Who these keys are: STS GetCallerIdentity, which needs no permission and changes nothing. */
export async function getCallerIdentity(keys: AwsKeys, target: AwsTarget, budget: SubrequestBudget): Promise<AwsIdentity> {
  const xml = await stsCall(keys, { Action: 'GetCallerIdentity' }, target, budget);
  const accountId = xmlValue(xml, 'Account');
  const arn = xmlValue(xml, 'Arn');
  if (!accountId || !/^\d{12}$/.test(accountId) || !arn) throw new AwsError('MalformedResponse', 'STS GetCallerIdentity answered without an account', 502);
  return { accountId, arn };
}

/**
 * Temporary keys for `roleArn` through STS AssumeRole, and the account of the session STS made. `externalId` is sent
 * as sts:ExternalId when the credentials have one (role mode always does).
 */
export async function assumeRole(
  keys: AwsKeys,
  roleArn: string,
  sessionName: string,
  target: AwsTarget,
  budget: SubrequestBudget,
  externalId?: string | null,
): Promise<{ keys: AwsKeys; identity: AwsIdentity }> {
  const params: Record<string, string> = { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: '3600' };
  if (externalId) params.ExternalId = externalId;
  const xml = await stsCall(keys, params, target, budget);
  const accessKeyId = xmlValue(xml, 'AccessKeyId');
  const secretAccessKey = xmlValue(xml, 'SecretAccessKey');
  const sessionToken = xmlValue(xml, 'SessionToken');
  if (!accessKeyId || !secretAccessKey || !sessionToken) throw new AwsError('MalformedResponse', 'STS AssumeRole answered without credentials', 502);
  // The session's ARN says which account the temporary keys act in; without one, the role's own ARN does.
  const arn = xmlValue(/<AssumedRoleUser>[\s\S]*<\/AssumedRoleUser>/.exec(xml)?.[0] ?? '', 'Arn') ?? roleArn;
  const accountId = accountOfArn(arn);
  if (!accountId) throw new AwsError('MalformedResponse', 'STS AssumeRole answered with a session ARN that names no account', 502);
  return { keys: { accessKeyId, secretAccessKey, sessionToken }, identity: { accountId, arn } };
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
