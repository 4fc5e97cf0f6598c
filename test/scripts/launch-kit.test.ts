/**
 * The launch kit's scripts, run for real: bash and Debian's AWS CLI (`awscli`) against the local Secrets Manager
 * stand-in (every SigV4 signature checked). The store Nextflow reads is parsed and compared with what was stored,
 * byte for byte; its mode is 0600 whenever the CLI runs; no value is in any process's arguments or in any output.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headScript, launchKit, taskScript } from '../../worker/src/launch-kit';
import { type SecretsManagerPeer, startSecretsManagerPeer } from '../peers/secrets-manager';
import { runWatched } from './watch';

const AWS_CLI = '/usr/bin/aws';
const REGION = 'eu-west-1';

/** Values chosen to break naive quoting: unicode, 64 KiB, quotes, $ and backticks, newlines, tabs, backslashes. */
const VALUES: Record<string, string> = {
  UNICODE: 'ünïcødé ✓ — 鍵 🚀 \u00a0nbsp',
  BIG: Array.from({ length: 65_536 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 94))).join(''),
  QUOTES: `it's "quoted" and '''tripled''' \`backticked\``,
  DOLLARS: '$HOME ${PATH} $(touch /tmp/latchkey-pwned) %s %n',
  NEWLINES: 'line one\nline two\r\n\n\n',
  SPACES: '  leading and trailing\t ',
  BACKSLASHES: 'C:\\path\\to\\n \\x41 \\\\',
};

let peer: SecretsManagerPeer;
let keys: { accessKeyId: string; secretAccessKey: string };
const arns: Record<string, string> = {};
let work: string;

beforeAll(async () => {
  peer = await startSecretsManagerPeer(0);
  keys = (await (await fetch(`${peer.url}/__control/accounts`, { method: 'POST' })).json()) as typeof keys;
  const sm = new SecretsManagerClient({ region: REGION, endpoint: peer.url, credentials: keys });
  for (const [name, value] of Object.entries(VALUES)) {
    const out = await sm.send(new CreateSecretCommand({ Name: `latchkey/run123/${name}`, SecretString: value }));
    arns[name] = out.ARN!;
  }
  work = mkdtempSync(join(tmpdir(), 'latchkey-kit-'));
  // The CLI as the scripts call it, plus a recorder: its arguments, and the mode of every file in the store's
  // directory at that moment (values are written only while the CLI runs). Debian's awscli 2.9 predates
  // AWS_ENDPOINT_URL, so the shim points it at the stand-in.
  writeFileSync(
    join(work, 'aws'),
    `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"${work}/argv.log"
if [ -n "\${NXF_SECRETS_FILE:-}" ]; then for f in "$(dirname "$NXF_SECRETS_FILE")"/*; do [ -e "$f" ] && stat -c '%a %n' "$f" >>"${work}/modes.log"; done; fi
exec ${AWS_CLI} --endpoint-url "${peer.url}" "$@"
`,
  );
  chmodSync(join(work, 'aws'), 0o755);
}, 60_000);

afterAll(async () => {
  await peer?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

const awsEnv = () => ({
  PATH: process.env.PATH!,
  HOME: join(work, 'home'),
  AWS_ACCESS_KEY_ID: keys.accessKeyId,
  AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
  AWS_PAGER: '',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
});

const runScript = (script: string, env: Record<string, string>) => runWatched(work, script, [], env);

/** A part of each value distinctive enough to find it in a process list or a log. */
const fingerprints = () => Object.entries(VALUES).map(([name, v]) => [name, v.trim().slice(0, 24)] as const);

describe('the head script', () => {
  it('writes the secret store byte for byte, 0600 from the start in a 0700 directory, no value in argv or output', async () => {
    const secrets = Object.keys(VALUES).map((name) => ({ name, secretId: arns[name]! }));
    const store = join(work, 'shared-fs', 'run123', 'store.json');
    const res = await runScript(headScript({ runId: 'run123', region: REGION, secrets }), {
      ...awsEnv(),
      NXF_SECRETS_FILE: store,
      LATCHKEY_AWS_CLI: join(work, 'aws'),
    });
    expect(res.code, res.stderr).toBe(0);

    const parsed = JSON.parse(readFileSync(store, 'utf8')) as Array<{ name: string; value: string }>;
    expect(parsed.map((e) => e.name)).toEqual(Object.keys(VALUES));
    for (const e of parsed) expect(Buffer.from(e.value, 'utf8').equals(Buffer.from(VALUES[e.name]!, 'utf8')), e.name).toBe(true);
    expect(statSync(store).mode & 0o777).toBe(0o600);
    expect(statSync(join(work, 'shared-fs', 'run123')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(work, 'shared-fs', 'run123'))).toEqual(['store.json']); // the temporary file is gone

    const modes = readFileSync(join(work, 'modes.log'), 'utf8').trim().split('\n');
    expect(modes.length).toBeGreaterThanOrEqual(Object.keys(VALUES).length);
    for (const line of modes) expect(line, 'a store file was readable by others while values were written').toMatch(/^600 /);

    const argv = readFileSync(join(work, 'argv.log'), 'utf8');
    for (const [name, print] of fingerprints()) {
      expect(argv, `${name} on a CLI command line`).not.toContain(print);
      expect(res.processes, `${name} in a process's arguments`).not.toContain(print);
      expect(res.stdout + res.stderr, `${name} in the script's output`).not.toContain(print);
    }
    expect(res.stderr).toContain(`${Object.keys(VALUES).length} secret(s) written to ${store}`);
  });

  it('leaves no partial store when a secret cannot be read', async () => {
    const store = join(work, 'broken', 'store.json');
    const res = await runScript(
      headScript({ runId: 'run124', region: REGION, secrets: [{ name: 'UNICODE', secretId: arns.UNICODE! }, { name: 'GONE', secretId: 'latchkey/run124/GONE' }] }),
      { ...awsEnv(), NXF_SECRETS_FILE: store, LATCHKEY_AWS_CLI: join(work, 'aws') },
    );
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/ResourceNotFoundException/);
    expect(readdirSync(join(work, 'broken'))).toEqual([]);
  });
});

describe('the AWS Batch task prelude', () => {
  it('exports exactly the declared secrets, byte for byte (trailing newlines kept), with no value in argv', async () => {
    const secrets = Object.keys(VALUES).map((name) => ({ name, secretId: arns[name]! }));
    const declared = ['NEWLINES', 'QUOTES', 'BIG', 'DOLLARS', 'UNICODE', 'SPACES', 'BACKSLASHES', 'NOT_A_RUN_SECRET'];
    const out = join(work, 'task-out');
    const dump = Object.keys(VALUES)
      .map((n) => `if [ -n "\${${n}+set}" ]; then printf '%s' "$${n}" >"${out}-${n}"; fi`)
      .join('\n');
    const res = await runScript(`set -eu\n${taskScript({ region: REGION, secrets, batchCliPath: join(work, 'aws') }, declared)}\n${dump}\n`, awsEnv());
    expect(res.code, res.stderr).toBe(0);
    for (const name of Object.keys(VALUES)) {
      const got = readFileSync(`${out}-${name}`);
      expect(got.equals(Buffer.from(VALUES[name]!, 'utf8')), name).toBe(true);
    }
    for (const [name, print] of fingerprints()) {
      expect(res.processes, `${name} in a process's arguments`).not.toContain(print);
      expect(res.stdout + res.stderr).not.toContain(print);
    }
    expect(execFileSync('bash', ['-c', 'test ! -e /tmp/latchkey-pwned && echo clean'], { encoding: 'utf8' }).trim()).toBe('clean');
  });

  it('exports nothing for a task that declares no secret', async () => {
    const secrets = [{ name: 'UNICODE', secretId: arns.UNICODE! }];
    const res = await runScript(`set -eu\n${taskScript({ region: REGION, secrets, batchCliPath: join(work, 'aws') }, [])}\nenv\n`, awsEnv());
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).not.toMatch(/^UNICODE=/m);
  });
});

describe('the config fragment', () => {
  it('carries the completion token as the weblog Basic password, not in the URL, and the per-task prelude', () => {
    const kit = launchKit({
      runId: 'run125',
      region: REGION,
      secrets: [{ name: 'DB_PASSWORD', secretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:latchkey/run125/DB_PASSWORD-AbCdEf' }],
      weblogUrl: 'https://latchkey.example.com/weblog/run125',
      runToken: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
      batchCliPath: '/home/ec2-user/miniconda/bin/aws',
    });
    expect(kit.config).toContain("url = 'https://latchkey.example.com/weblog/run125'");
    expect(kit.config).toContain("basicToken = 'run:eyJhbGciOiJIUzI1NiJ9.e30.sig'");
    expect(kit.config).not.toMatch(/url = '[^']*token=/);
    expect(kit.config).toContain("batch { cliPath = '/home/ec2-user/miniconda/bin/aws' }");
    expect(kit.config).toContain("beforeScript = { 'LATCHKEY_SECRETS=\"' + ((task.secret ?: []) as List).join(' ') + '\"; ' + '''");
    expect(kit.taskScript).not.toContain('\\');
    expect(kit.taskScript).not.toContain("'''");
    expect(kit.env).toEqual({ NXF_SECRETS_FILE: '$HOME/.nextflow/latchkey/run125/store.json', AWS_REGION: REGION, LATCHKEY_RUN: 'run125' });
  });
});
