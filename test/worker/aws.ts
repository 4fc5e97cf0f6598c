/** Talks to the Secrets Manager stand-in's control API (test/peers/secrets-manager.ts) and sets up aws credentials. */
import { env } from 'cloudflare:workers';
import { afterEach, expect } from 'vitest';
import { call, type Person, seedOrgWorkspace, seedUser, ws } from './helpers';
import { PLATFORM_AWS_TEST } from './keys';

export interface AwsAccount {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const control = (path: string, init?: RequestInit) => fetch(`${env.AWS_ENDPOINT_URL}/__control${path}`, init).then((r) => r.json() as Promise<any>);

export const newAwsAccount = (): Promise<AwsAccount> => control('/accounts', { method: 'POST' });

/** The worker's own AWS identity (PLATFORM_AWS_* in vitest.config.ts) as an account of the stand-in; idempotent. */
export const platformAccount = (): Promise<AwsAccount> => control('/accounts', { method: 'POST', body: JSON.stringify(PLATFORM_AWS_TEST) });

/** A role in `a` whose trust policy lets `trustedPrincipal` (the worker's identity by default) assume it, with `externalId`. */
export const trustingRole = (a: AwsAccount, name: string, externalId?: string, trustedPrincipal = PLATFORM_AWS_TEST.principalArn): Promise<string> =>
  control(`/accounts/${a.accessKeyId}/roles`, { method: 'POST', body: JSON.stringify({ name, trustedPrincipal, externalId }) }).then((r) => r.roleArn as string);

export interface StandInState {
  accountId: string;
  secrets: Array<{ name: string; arn: string; value: string; tags: Record<string, string>; clientRequestToken: string }>;
  calls: Record<string, number>;
  maxInFlight: number;
  rejected: number;
  assumedRoles: string[];
}
export const standIn = (a: AwsAccount): Promise<StandInState> => control(`/accounts/${a.accessKeyId}`);

export const injectFaults = (a: AwsAccount, faults: Array<{ op: string; times: number; type: string; status: number; message: string; name?: string }>) =>
  control(`/accounts/${a.accessKeyId}/faults`, { method: 'POST', body: JSON.stringify(faults) });

export const setDelay = (a: AwsAccount, ms: number) => control(`/accounts/${a.accessKeyId}/delay`, { method: 'POST', body: JSON.stringify({ ms }) });

/** The workspace's owner approves the account (optionally only these roles) as a relay target. */
export async function approveAccount(owner: Person, accountId: string, workspaceId?: string, roleArns?: string[]) {
  const res = await call('POST', `/relay-targets${ws(workspaceId)}`, { token: owner.token, json: { accountId, ...(roleArns ? { roleArns } : {}) } });
  expect(res.status, res.text).toBe(200);
  return res.body.relayTarget;
}

/**
 * Stores aws credentials for the account in the workspace and returns their id. Unless `approve` is false, the
 * owner also approves the account as a relay target, as an owner setting up a workspace would.
 */
export async function awsCredentials(
  owner: Person,
  account: AwsAccount,
  workspaceId?: string,
  extra: Record<string, string> = {},
  opts: { approve?: boolean } = {},
): Promise<string> {
  const res = await call('POST', `/credentials${ws(workspaceId)}`, {
    token: owner.token,
    json: { credentials: { name: `aws-${account.accountId}-${Math.floor(Math.random() * 1e6)}`, provider: 'aws', keys: { accessKey: account.accessKeyId, secretKey: account.secretAccessKey, ...extra } } },
  });
  expect(res.status, res.text).toBe(200);
  if (opts.approve !== false) await approveAccount(owner, account.accountId, workspaceId);
  return res.body.credentialsId;
}

export async function addSecrets(owner: Person, count: number, workspaceId?: string, valueOf = (i: number) => `value-${i}`) {
  for (let i = 0; i < count; i++) {
    const res = await call('POST', `/pipeline-secrets${ws(workspaceId)}`, { token: owner.token, json: { name: `SECRET_${String(i).padStart(3, '0')}`, value: valueOf(i) } });
    expect(res.status, res.text).toBe(200);
  }
}

/** The path and query of a completion URL, for calling the worker in-process. */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

export const resetStats = (a: AwsAccount) => control(`/accounts/${a.accessKeyId}/reset-stats`, { method: 'POST' });

/**
 * A fresh stand-in account per call, each checked after every test of the file: it must hold no secret then, since
 * nothing may outlive its run. Call once at the top of a test file.
 */
export function accountsLeftEmpty(): () => Promise<AwsAccount> {
  const touched: AwsAccount[] = [];
  afterEach(async () => {
    for (const a of touched.splice(0)) expect((await standIn(a)).secrets.map((s) => s.name), `secrets left in account ${a.accountId}`).toEqual([]);
  });
  return async () => {
    const a = await newAwsAccount();
    touched.push(a);
    return a;
  };
}

/**
 * An owner, an organization workspace with `secretCount` secrets and aws credentials for a fresh account from
 * `account` (see accountsLeftEmpty), and a run launched there: its id, run token and completion URL.
 */
export async function launchedRun(account: () => Promise<AwsAccount>, secretCount: number, launch: Record<string, unknown> = {}) {
  const owner = await seedUser('owner');
  const { workspaceId } = await seedOrgWorkspace([[owner, 'owner']]);
  const aws = await account();
  const credentialsId = await awsCredentials(owner, aws, workspaceId);
  await addSecrets(owner, secretCount, workspaceId);
  const res = await call('POST', `/runs${ws(workspaceId)}`, { token: owner.token, json: { credentialsId, region: 'eu-west-1', ...launch } });
  expect(res.status, res.text).toBe(200);
  const { run, completionUrl } = res.body as { run: { id: string }; completionUrl: string };
  return { owner, workspaceId, aws, runId: run.id, token: new URL(completionUrl).searchParams.get('token')!, completionUrl };
}
