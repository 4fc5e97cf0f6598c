/**
 * A small AWS Secrets Manager (and STS AssumeRole) stand-in for tests and benchmarks, on 127.0.0.1.
 *
 * Honest where it matters: every request's SigV4 signature is verified with @smithy/signature-v4 (AWS's own
 * implementation) against the account's keys, and refused with AWS's error shape otherwise. It implements
 * CreateSecret, DeleteSecret, GetSecretValue, ListSecrets and TagResource with AWS's error types, STS AssumeRole
 * (answering the session's ARN) and GetCallerIdentity, and can be told to inject throttling, 500s and delays.
 * AssumeRole follows IAM's rule: a role registered with a trust policy (control API) may be assumed only by the
 * principal it trusts (its ARN, or its account's root) and, when the trust names an External ID, only with it; a role
 * not registered may be assumed from its own account only. Each test makes its own account (its own keys and secrets), so test files
 * running side by side do not see each other. Test infrastructure only; never part of the product.
 *
 * Control API (unsigned, test-only): POST /__control/accounts [{accessKeyId, secretAccessKey, accountId}] → keys (the same account
 * again for the same keys); GET /__control/accounts/{key} → state; POST /__control/accounts/{key}/faults, /delay,
 * /roles {name, trustedPrincipal, externalId?} → {roleArn}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

export interface StoredSecret {
  name: string;
  arn: string;
  value: string;
  clientRequestToken: string;
  description?: string;
  tags: Record<string, string>;
  createdAt: string;
}

export interface Fault {
  op: string;
  /** Only when the secret's name contains this. */
  name?: string;
  times: number;
  type: string;
  status: number;
  message: string;
}

interface Account {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  secrets: Map<string, StoredSecret>;
  faults: Fault[];
  delayMs: number;
  /** Whether delayMs runs from the request's arrival (the stand-in's own work inside it) rather than after that work. */
  delayFromArrival?: boolean;
  calls: Record<string, number>;
  inFlight: number;
  maxInFlight: number;
  rejected: number;
  assumedRoles: string[];
  /** Roles with a trust policy: who may assume them, and the sts:ExternalId the trust requires. */
  roles: Map<string, { trustedPrincipal: string; externalId?: string }>;
}

interface Session {
  account: Account;
  secretAccessKey: string;
  sessionToken: string;
  /** arn:aws:sts::<account>:assumed-role/<role>/<session> */
  arn: string;
}

export interface SecretsManagerPeer {
  url: string;
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

function awsError(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}

function stsError(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(`<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error></ErrorResponse>`);
}

class ApiFailure extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

const fail = (type: string, message: string, status = 400) => new ApiFailure(status, type, message);

export async function startSecretsManagerPeer(port = 0): Promise<SecretsManagerPeer> {
  const accounts = new Map<string, Account>();
  const sessions = new Map<string, Session>();

  function newAccount(keys?: { accessKeyId: string; secretAccessKey: string }): Account {
    const account: Account = {
      accountId: String(100000000000 + Math.floor(Math.random() * 899999999999)),
      accessKeyId: keys?.accessKeyId ?? `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: keys?.secretAccessKey ?? randomBytes(30).toString('base64'),
      secrets: new Map(),
      faults: [],
      delayMs: 0,
      calls: {},
      inFlight: 0,
      maxInFlight: 0,
      rejected: 0,
      assumedRoles: [],
      roles: new Map(),
    };
    accounts.set(account.accessKeyId, account);
    return account;
  }

  async function verify(req: IncomingMessage, body: string): Promise<{ account: Account; session: Session | undefined; region: string; service: string } | ApiFailure> {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return fail('IncompleteSignatureException', 'Authorization header requires a SigV4 Credential, SignedHeaders and Signature');
    const [, keyId, , region, service, signedHeaders] = m as unknown as [string, string, string, string, string, string];
    const session = sessions.get(keyId);
    const account = session?.account ?? accounts.get(keyId);
    const secret = session?.secretAccessKey ?? account?.secretAccessKey;
    if (!account || !secret) return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (session && req.headers['x-amz-security-token'] !== session.sessionToken)
      return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!dm) return fail('IncompleteSignatureException', 'X-Amz-Date is missing or malformed');
    const signingDate = new Date(Date.UTC(+dm[1]!, +dm[2]! - 1, +dm[3]!, +dm[4]!, +dm[5]!, +dm[6]!));
    if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000) return fail('InvalidSignatureException', 'Signature expired: the request time is more than 15 minutes away');
    const headers: Record<string, string> = {};
    for (const h of signedHeaders.split(';')) headers[h] = String(req.headers[h] ?? '');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const request = new HttpRequest({
      method: req.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port) || undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    });
    const signer = new SignatureV4({
      credentials: { accessKeyId: keyId, secretAccessKey: secret, ...(session ? { sessionToken: session.sessionToken } : {}) },
      region,
      service,
      sha256: Sha256,
      applyChecksum: false,
      uriEscapePath: true,
    });
    const signed = await signer.sign(request, { signingDate });
    if (signed.headers.authorization !== auth) {
      account.rejected++;
      return fail('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
    }
    return { account, session, region, service };
  }

  function takeFault(account: Account, op: string, name: string | undefined): Fault | undefined {
    const fault = account.faults.find((f) => f.times > 0 && (f.op === op || f.op === '*') && (!f.name || (name ?? '').includes(f.name)));
    if (fault) fault.times--;
    return fault;
  }

  function findSecret(account: Account, secretId: unknown): StoredSecret {
    if (typeof secretId !== 'string' || secretId === '') throw fail('InvalidParameterException', 'SecretId is required');
    const byName = account.secrets.get(secretId);
    if (byName) return byName;
    for (const s of account.secrets.values()) if (s.arn === secretId) return s;
    throw fail('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }

  function operate(account: Account, region: string, op: string, input: Record<string, any>): unknown {
    switch (op) {
      case 'CreateSecret': {
        const { Name, SecretString, ClientRequestToken, Description, Tags } = input;
        if (typeof Name !== 'string' || !NAME.test(Name)) throw fail('InvalidParameterException', 'Name must be 1-512 characters of letters, digits and /_+=.@-');
        if (typeof SecretString !== 'string' || SecretString.length === 0) throw fail('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
        if (Buffer.byteLength(SecretString) > 65536) throw fail('InvalidParameterException', 'SecretString must be at most 65536 bytes');
        if (typeof ClientRequestToken !== 'string' || ClientRequestToken.length < 32 || ClientRequestToken.length > 64)
          throw fail('InvalidParameterException', 'ClientRequestToken must be 32-64 characters');
        const existing = account.secrets.get(Name);
        if (existing) {
          if (existing.clientRequestToken === ClientRequestToken && existing.value === SecretString) return { ARN: existing.arn, Name, VersionId: ClientRequestToken };
          throw fail('ResourceExistsException', `The operation failed because the secret ${Name} already exists.`);
        }
        const tags: Record<string, string> = {};
        for (const t of Array.isArray(Tags) ? Tags : []) tags[t.Key] = t.Value;
        const arn = `arn:aws:secretsmanager:${region}:${account.accountId}:secret:${Name}-${randomBytes(3).toString('hex')}`;
        account.secrets.set(Name, { name: Name, arn, value: SecretString, clientRequestToken: ClientRequestToken, description: Description, tags, createdAt: new Date().toISOString() });
        return { ARN: arn, Name, VersionId: ClientRequestToken };
      }
      case 'DeleteSecret': {
        const secret = findSecret(account, input.SecretId);
        if (input.ForceDeleteWithoutRecovery !== true)
          throw fail('InvalidRequestException', 'This stand-in only models ForceDeleteWithoutRecovery deletes: a recovery window would leave the secret in place');
        account.secrets.delete(secret.name);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: Date.now() / 1000 };
      }
      case 'GetSecretValue': {
        const secret = findSecret(account, input.SecretId);
        return { ARN: secret.arn, Name: secret.name, SecretString: secret.value, VersionId: secret.clientRequestToken };
      }
      case 'ListSecrets':
        return {
          SecretList: [...account.secrets.values()].map((s) => ({ ARN: s.arn, Name: s.name, Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })) })),
        };
      case 'TagResource': {
        const secret = findSecret(account, input.SecretId);
        for (const t of Array.isArray(input.Tags) ? input.Tags : []) secret.tags[t.Key] = t.Value;
        return {};
      }
      default:
        throw fail('UnknownOperationException', `Unknown operation ${op}`);
    }
  }

  async function control(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').filter(Boolean); // __control, accounts, key?, action?
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && parts.length === 2 && parts[1] === 'accounts') {
      const given = body ? (JSON.parse(body) as { accessKeyId?: string; secretAccessKey?: string; accountId?: string }) : {};
      const existing = given.accessKeyId ? accounts.get(given.accessKeyId) : undefined;
      if (existing && existing.secretAccessKey !== given.secretAccessKey) return json(409, { message: 'that access key exists with another secret' });
      const a = existing ?? newAccount(given.accessKeyId && given.secretAccessKey ? { accessKeyId: given.accessKeyId, secretAccessKey: given.secretAccessKey } : undefined);
      if (!existing && given.accountId && /^\d{12}$/.test(given.accountId)) a.accountId = given.accountId;
      return json(200, { accountId: a.accountId, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
    }
    const account = accounts.get(parts[2] ?? '');
    if (!account) return json(404, { message: 'no such account' });
    if (req.method === 'GET' && parts.length === 3)
      return json(200, {
        accountId: account.accountId,
        secrets: [...account.secrets.values()],
        calls: account.calls,
        maxInFlight: account.maxInFlight,
        rejected: account.rejected,
        assumedRoles: account.assumedRoles,
        faultsLeft: account.faults.filter((f) => f.times > 0),
      });
    const input = body ? JSON.parse(body) : {};
    if (req.method === 'POST' && parts[3] === 'faults') {
      account.faults.push(...(Array.isArray(input) ? input : [input]));
      return json(200, { faults: account.faults.length });
    }
    if (req.method === 'POST' && parts[3] === 'delay') {
      account.delayMs = Number(input.ms) || 0;
      account.delayFromArrival = input.fromArrival === true;
      return json(200, { delayMs: account.delayMs, fromArrival: account.delayFromArrival });
    }
    if (req.method === 'POST' && parts[3] === 'roles') {
      const name = String(input.name ?? '');
      if (!/^[\w+=,.@-]{1,64}$/.test(name) || typeof input.trustedPrincipal !== 'string') return json(400, { message: 'name and trustedPrincipal are required' });
      account.roles.set(name, { trustedPrincipal: input.trustedPrincipal, ...(input.externalId ? { externalId: String(input.externalId) } : {}) });
      return json(200, { roleArn: `arn:aws:iam::${account.accountId}:role/${name}` });
    }
    if (req.method === 'POST' && parts[3] === 'reset-stats') {
      account.calls = {};
      account.maxInFlight = 0;
      return json(200, {});
    }
    return json(404, { message: 'unknown control call' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    // With `fromArrival` (benches), the delay is AWS's latency as a client sees it, from the request's arrival to the
    // answer: this stand-in's own work (reading the body, checking the signature with a pure-JS SHA-256) counts inside
    // it, not on top of it. Otherwise it is added after that work, as the tests were written for.
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if ((req.url ?? '').startsWith('/__control')) return control(req, res, body);

    const verified = await verify(req, body);
    const isSts = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (verified instanceof ApiFailure) return isSts ? stsError(res, 403, verified.type, verified.message) : awsError(res, verified.status, verified.type, verified.message);
    const { account, session, region, service } = verified;

    account.inFlight++;
    account.maxInFlight = Math.max(account.maxInFlight, account.inFlight);
    try {
      const wait = account.delayMs - (account.delayFromArrival ? performance.now() - arrived : 0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (isSts) {
        const form = new URLSearchParams(body);
        const action = form.get('Action');
        if (service !== 'sts' || (action !== 'AssumeRole' && action !== 'GetCallerIdentity'))
          return stsError(res, 400, 'InvalidAction', 'Only AssumeRole and GetCallerIdentity are implemented');
        account.calls[action] = (account.calls[action] ?? 0) + 1;
        if (action === 'GetCallerIdentity') {
          // Who signed: the account's IAM user, or the assumed-role session its temporary keys belong to.
          const arn = session ? session.arn : `arn:aws:iam::${account.accountId}:user/latchkey-relay`;
          res.writeHead(200, { 'content-type': 'text/xml' });
          res.end(
            `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AIDA${account.accessKeyId.slice(4)}</UserId><Account>${account.accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
          );
          return;
        }
        const roleArn = form.get('RoleArn') ?? '';
        const callerArn = session ? session.arn : `arn:aws:iam::${account.accountId}:user/latchkey-relay`;
        const denied = () => stsError(res, 403, 'AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
        const [, roleAccountId, roleName] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn) ?? [];
        const roleAccount = [...accounts.values()].find((a) => a.accountId === roleAccountId);
        if (!roleAccount || !roleName) return denied();
        const trust = roleAccount.roles.get(roleName);
        if (trust) {
          const trusted = trust.trustedPrincipal === callerArn || trust.trustedPrincipal === `arn:aws:iam::${account.accountId}:root`;
          if (!trusted || (trust.externalId !== undefined && form.get('ExternalId') !== trust.externalId)) return denied();
        } else if (roleAccount !== account) return denied();
        const temp = { keyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`, secret: randomBytes(30).toString('base64'), token: randomBytes(48).toString('base64') };
        // As AWS answers: the session's ARN names the role's account, the role's name and the session name.
        const sessionArn = `arn:aws:sts::${roleAccount.accountId}:assumed-role/${roleName}/${form.get('RoleSessionName') ?? 'session'}`;
        sessions.set(temp.keyId, { account: roleAccount, secretAccessKey: temp.secret, sessionToken: temp.token, arn: sessionArn });
        roleAccount.assumedRoles.push(roleArn);
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(
          `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${temp.keyId}</AccessKeyId><SecretAccessKey>${temp.secret}</SecretAccessKey><SessionToken>${temp.token}</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${form.get('RoleSessionName') ?? 'session'}</AssumedRoleId><Arn>${sessionArn}</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`,
        );
        return;
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      if (service !== 'secretsmanager' || !target.startsWith('secretsmanager.')) return awsError(res, 400, 'UnknownOperationException', `Unknown target ${target}`);
      const op = target.slice('secretsmanager.'.length);
      account.calls[op] = (account.calls[op] ?? 0) + 1;
      let input: Record<string, any>;
      try {
        input = JSON.parse(body || '{}');
      } catch {
        return awsError(res, 400, 'SerializationException', 'Malformed JSON');
      }
      const fault = takeFault(account, op, input.Name ?? input.SecretId);
      if (fault) return awsError(res, fault.status, fault.type, fault.message);
      try {
        const out = operate(account, region, op, input);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(out));
      } catch (err) {
        if (err instanceof ApiFailure) return awsError(res, err.status, err.type, err.message);
        throw err;
      }
    } finally {
      account.inFlight--;
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalServiceError', message: String(err) }));
    });
  });
  // Idle keep-alive connections stay open until the client (workerd, Node's fetch) closes them: a server closing one
  // after a timeout races the client sending its next request on it, which then fails with "Network connection lost"
  // (seen under load in runs.test.ts and in the route table's set-up). close() below ends them all.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
