/**
 * Pages of every kind of list: `max`/`offset` give the rows in order and `totalSize` counts them all, on the first
 * page (the total read with the rows), further on, and past the end; no bookkeeping column leaks into a row.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, call, type Person, seedOrgWorkspace, seedUser } from './helpers';

let me: Person;
const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];

beforeAll(async () => {
  me = await seedUser('pages');
  for (const name of [...names].reverse()) {
    const created = await call('POST', '/credentials', { token: me.token, json: { credentials: { name, provider: 'github', keys: { username: 'u', password: 'p' } } } });
    expect(created.status, created.text).toBe(200);
  }
  await call('POST', '/credentials', { token: me.token, json: { credentials: { name: 'gitlab-one', provider: 'gitlab', keys: { username: 'u', token: 't' } } } });
});

const page = async (query: string) => {
  const res = await call('GET', `/credentials?${query}`, { token: me.token });
  expect(res.status, res.text).toBe(200);
  return { names: res.body.credentials.map((c: { name: string }) => c.name), totalSize: res.body.totalSize, keys: res.body.credentials.map((c: object) => Object.keys(c)).flat() };
};

describe('pages', () => {
  it('credentials: first page, a middle page, the last, past the end, and filtered', async () => {
    expect(await page('platformId=github&max=2')).toMatchObject({ names: ['alpha', 'bravo'], totalSize: 5 });
    expect(await page('platformId=github&max=2&offset=2')).toMatchObject({ names: ['charlie', 'delta'], totalSize: 5 });
    expect(await page('platformId=github&max=2&offset=4')).toMatchObject({ names: ['echo'], totalSize: 5 });
    expect(await page('platformId=github&max=2&offset=9')).toMatchObject({ names: [], totalSize: 5 });
    expect(await page('platformId=github')).toMatchObject({ names, totalSize: 5 });
    const all = await page('max=100');
    expect(all).toMatchObject({ names: [...names, 'gitlab-one'], totalSize: 6 });
    expect(all.keys).not.toContain('list_total_size');
    expect(await page('platformId=azure&max=3')).toMatchObject({ names: [], totalSize: 0 });
  });

  it('workspaces (ordered by joined columns), users and tokens', async () => {
    await seedOrgWorkspace([[me, 'view']]);
    await seedOrgWorkspace([[me, 'owner']]);
    const first = await call('GET', '/workspaces?max=1', { token: me.token });
    expect(first.body.totalSize).toBe(3);
    expect(first.body.workspaces).toHaveLength(1);
    expect(first.body.workspaces[0]).toMatchObject({ kind: 'personal', id: me.personalWorkspaceId });
    expect(Object.keys(first.body.workspaces[0])).not.toContain('list_total_size');
    const rest = await call('GET', '/workspaces?max=5&offset=1', { token: me.token });
    expect(rest.body).toMatchObject({ totalSize: 3 });
    expect(rest.body.workspaces.map((w: { kind: string }) => w.kind)).toEqual(['organization', 'organization']);

    const users = await admin('GET', '/users?max=1');
    expect(users.status, users.text).toBe(200);
    expect(users.body.totalSize).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(users.body)).not.toContain('list_total_size');

    const tokens = await call('GET', '/tokens?max=1', { token: me.token });
    expect(tokens.body).toMatchObject({ totalSize: 1 });
    expect(Object.keys(tokens.body.tokens[0])).not.toContain('list_total_size');
  });
});
