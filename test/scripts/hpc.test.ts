/**
 * The Slurm/HPC head script, run for real: bash and curl against the worker under `wrangler dev`. It downloads the
 * run's store once into a 0700 per-run directory, runs the command it is given with NXF_SECRETS_FILE set, and
 * removes the directory (with Nextflow's .nf-*.secrets leftovers) when the command ends; the download token never
 * appears in a process's arguments; a second run of the script is refused.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevWorker } from '../../scripts/lib/dev-worker.mjs';
import { runWatched } from './watch';

const VALUES: Record<string, string> = {
  UNICODE: 'ünïcødé ✓ 鍵 🚀',
  QUOTES: `it's "quoted" \`cmd\` $HOME $(id)`,
  NEWLINES: 'one\ntwo\r\n\n',
  BIG: 'b'.repeat(65_536),
};

let worker: Awaited<ReturnType<typeof startDevWorker>>;
let work: string;
let token = '';
let workspaceId = '';

async function api(path: string, body?: unknown): Promise<any> {
  const res = await fetch(worker.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  worker = await startDevWorker();
  const { user } = await worker.admin('POST', '/users', { userName: 'grace', email: 'grace@example.com' });
  token = (await worker.admin('POST', `/users/${user.id}/tokens`, { name: 'hpc' })).accessKey;
  const { orgId } = await worker.admin('POST', '/organizations', { name: 'hpc-lab' });
  workspaceId = (await worker.admin('POST', `/organizations/${orgId}/workspaces`, { name: 'slurm' })).workspaceId;
  await worker.admin('PUT', `/workspaces/${workspaceId}/members/${user.id}`, { role: 'owner' });
  for (const [name, value] of Object.entries(VALUES)) await api(`/pipeline-secrets?workspaceId=${workspaceId}`, { name, value });
  const allow = await fetch(`${worker.url}/relay-targets/hpc?workspaceId=${workspaceId}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
  if (allow.status !== 204) throw new Error(`allowing HPC: ${allow.status}`);
  work = mkdtempSync(join(tmpdir(), 'latchkey-hpc-'));
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const runHead = (script: string, args: string[], env: Record<string, string>) => runWatched(work, script, args, { PATH: process.env.PATH!, HOME: work, ...env });

describe('the Slurm/HPC head script', () => {
  it('downloads the store once, runs the command with it (0600 in a 0700 directory), and removes it afterwards', async () => {
    const launched = await api(`/runs?workspaceId=${workspaceId}`, { target: 'hpc', runName: 'slurm' });
    const { headScript } = launched.nextflow;
    const downloadToken = /Authorization: Bearer %s"\\n' '([^']+)'/.exec(headScript)![1]!;
    const shared = join(work, 'shared-fs', 'run');
    const probe = join(work, 'probe');
    // What Nextflow would do on the head job: read the store, and (grid executors) write .nf-*.secrets beside it.
    const command = [
      'bash', '-c',
      `cp "$NXF_SECRETS_FILE" '${probe}.json' && stat -c '%a' "$NXF_SECRETS_FILE" > '${probe}.mode' && stat -c '%a' "$(dirname "$NXF_SECRETS_FILE")" > '${probe}.dirmode' && touch "$(dirname "$NXF_SECRETS_FILE")/.nf-0a1b2c.secrets" && echo "$NXF_SECRETS_FILE" > '${probe}.path'`,
    ];
    const res = await runHead(headScript, command, { LATCHKEY_SECRETS_DIR: shared });
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(`${probe}.path`, 'utf8').trim()).toBe(join(shared, 'store.json'));
    const store = JSON.parse(readFileSync(`${probe}.json`, 'utf8')) as Array<{ name: string; value: string }>;
    expect(Object.fromEntries(store.map((e) => [e.name, e.value]))).toEqual(VALUES);
    for (const e of store) expect(Buffer.from(e.value).equals(Buffer.from(VALUES[e.name]!))).toBe(true);
    expect(readFileSync(`${probe}.mode`, 'utf8').trim()).toBe('600');
    expect(readFileSync(`${probe}.dirmode`, 'utf8').trim()).toBe('700');
    expect(existsSync(shared), 'the per-run directory, store and .nf-*.secrets leftovers are removed').toBe(false);
    expect(res.processes).not.toContain(downloadToken);
    for (const value of Object.values(VALUES)) expect(res.stdout + res.stderr).not.toContain(value.trim().slice(0, 16));
    expect(res.stderr).toContain(`latchkey: ${Object.keys(VALUES).length} secret(s) in ${join(shared, 'store.json')}`);

    const run = await api(`/runs/${launched.run.id}?workspaceId=${workspaceId}`);
    expect(run.run.download.downloadedAt).toMatch(/^\d{4}-/);

    // The same script again: refused, says why, leaves nothing behind, and the command never runs.
    const again = await runHead(headScript, ['bash', '-c', `touch '${probe}.ran-again'`], { LATCHKEY_SECRETS_DIR: shared });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/latchkey: the secret store could not be downloaded: .*was already downloaded at/);
    expect(existsSync(`${probe}.ran-again`)).toBe(false);
    expect(existsSync(shared)).toBe(false);
  });

  it('removes the store when the command fails too, and passes its exit status on', async () => {
    const launched = await api(`/runs?workspaceId=${workspaceId}`, { target: 'hpc' });
    const shared = join(work, 'shared-fs', 'failing');
    const res = await runHead(launched.nextflow.headScript, ['bash', '-c', 'test -s "$NXF_SECRETS_FILE" && exit 7'], { LATCHKEY_SECRETS_DIR: shared });
    expect(res.code).toBe(7);
    expect(existsSync(shared)).toBe(false);
  });
});
