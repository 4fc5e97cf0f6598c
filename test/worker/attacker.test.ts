/**
 * The attacker suite: a hostile member (admin or owner) or a hostile registry tries every way to make the worker send
 * a stored registry password somewhere it was not entered for. A hostile listener on 127.0.0.1
 * (test/peers/hostile.ts) poses as registries and token services and records every header it receives; after each
 * sequence it must never have seen the password, raw, Basic-encoded or URL-encoded.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QUAY_ROBOT } from '../fixtures/registry-logins';
import { call, type Person, seedOrgWorkspace, seedUser, ws } from './helpers';

const hostile = JSON.parse(env.TEST_HOSTILE) as { hosts: Record<string, string>; control: string };
const H = hostile.hosts;
const records = async () => (await (await fetch(`${hostile.control}/records`)).json()) as Array<{ persona: string; url: string; headers: Record<string, string> }>;
const reset = () => fetch(`${hostile.control}/reset`, { method: 'POST' });

/** Every form in which a password could travel. */
function forms(user: string, password: string): string[] {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return [password, btoa(String.fromCharCode(...bytes)), encodeURIComponent(password)];
}
async function expectNeverSeen(user: string, password: string) {
  const seen = JSON.stringify(await records());
  for (const form of forms(user, password)) expect(seen, 'the hostile listener saw the password').not.toContain(form);
}

const USER = QUAY_ROBOT.userName;
const PASSWORD = QUAY_ROBOT.token; // the real login of the test registry: the secret under attack
const reg = (name: string, registry: string, password?: string) => ({
  credentials: { name, provider: 'container-reg', keys: { userName: USER, registry, ...(password === undefined ? {} : { password }) } },
});

let owner: Person;
let members: Record<string, Person>;
let outsider: Person;
let workspaceId: string;
let storedId: string;

beforeAll(async () => {
  owner = await seedUser('owner');
  members = { owner };
  for (const role of ['admin', 'maintain', 'launch', 'connect', 'view']) members[role] = await seedUser(role);
  outsider = await seedUser('outsider');
  ({ workspaceId } = await seedOrgWorkspace(Object.entries(members).map(([role, p]) => [p, role] as [Person, string])));
  // The owner stores a working login for the real test registry; the check on save passes.
  const created = await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: reg('prod-registry', env.TEST_REGISTRY_BASIC, PASSWORD) });
  expect(created.status, created.text).toBe(200);
  storedId = created.body.credentialsId;
});
beforeEach(async () => {
  await reset();
});

describe('a stored password never goes to a destination changed without it', () => {
  it.each(['owner', 'admin'])('refuses an %s moving the registry elsewhere without re-entering the password, checked or not', async (who) => {
    for (const skip of ['', '&skipRegistryCheck=true']) {
      const res = await call('PUT', `/credentials/${storedId}${ws(workspaceId)}${skip}`, { token: members[who]!.token, json: reg('prod-registry', H.basic!) });
      expect(res.status, res.text).toBe(400);
      expect(res.body.message).toBe(
        `Field 'credentials.keys.password' must be sent again: 'credentials.keys.registry' changes from '${env.TEST_REGISTRY_BASIC}' to '${H.basic}', and a stored secret is never sent to a new destination. Enter 'credentials.keys.password' again, or keep 'keys.registry' as it was`,
      );
    }
    expect(await records()).toEqual([]); // nothing was even attempted
    const stored = await call('GET', `/credentials/${storedId}${ws(workspaceId)}`, { token: owner.token });
    expect(stored.body.credentials.keys.registry).toBe(env.TEST_REGISTRY_BASIC);
    // The stored login still works where it was entered for.
    expect((await call('POST', `/credentials/${storedId}/check${ws(workspaceId)}`, { token: owner.token })).status).toBe(204);
    await expectNeverSeen(USER, PASSWORD);
  });

  it('applies the same rule to every provider whose secrets have a destination: aws keys and role, git servers, Azure accounts', async () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string]> = [
      [{ provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'aws-secret-value' } }, { provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE', assumeRoleArn: 'arn:aws:iam::999999999999:role/Mine' } }, 'secretKey'],
      [{ provider: 'aws', keys: { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'aws-secret-value' } }, { provider: 'aws', keys: { accessKey: 'AKIAI44QH8DHBEXAMPLE' } }, 'secretKey'],
      [{ provider: 'github', baseUrl: 'https://github.example.com', keys: { username: 'u', password: 'gh-token-value' } }, { provider: 'github', baseUrl: 'https://evil.example.com', keys: { username: 'u' } }, 'password'],
      [{ provider: 'gitlab', keys: { username: 'u', token: 'gl-token-value' } }, { provider: 'gitlab', baseUrl: 'https://evil.example.com', keys: { username: 'u' } }, 'token'],
      [{ provider: 'azure', keys: { batchName: 'batchone', storageName: 'storeone', batchKey: 'bk', storageKey: 'sk' } }, { provider: 'azure', keys: { batchName: 'batchevil', storageName: 'storeone' } }, 'batchKey'],
    ];
    for (const [i, [create, update, field]] of cases.entries()) {
      const made = await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: { credentials: { name: `dest-${i}`, ...create } } });
      expect(made.status, made.text).toBe(200);
      const res = await call('PUT', `/credentials/${made.body.credentialsId}${ws(workspaceId)}`, { token: members.admin!.token, json: { credentials: { name: `dest-${i}`, ...update } } });
      expect(res.status, `${JSON.stringify(update)}: ${res.text}`).toBe(400);
      expect(res.body.message).toMatch(new RegExp(`^Field 'credentials\\.keys\\.${field}' must be sent again: 'credentials\\.(keys\\.\\w+|baseUrl)' changes from`));
      // Renaming alone, destination unchanged, keeps the stored secret as before.
      const rename = await call('PUT', `/credentials/${made.body.credentialsId}${ws(workspaceId)}`, { token: members.admin!.token, json: { credentials: { name: `dest-${i}-renamed`, ...create, keys: Object.fromEntries(Object.entries(create.keys as object).filter(([k]) => !['secretKey', 'password', 'token', 'batchKey', 'storageKey'].includes(k))) } } });
      expect(rename.status, rename.text).toBe(204);
    }
  });
});

describe('the check sends the password only to the registry itself, over a bounded exchange', () => {
  const create = (name: string, registry: string, password: string) => call('POST', `/credentials${ws(workspaceId)}`, { token: members.admin!.token, json: reg(name, registry, password) });

  it('refuses a Bearer realm on another host without sending the login anywhere', async () => {
    const res = await create('realm-elsewhere', H.bearerElsewhere!, PASSWORD);
    expect(res.status).toBe(502);
    expect(res.body.message).toBe(
      `Could not check the login with container registry '${H.bearerElsewhere}': the login was not sent: its token service ${H.token!.replace('127.0.0.1', 'localhost')} is not the registry's own host or domain. Try again, or save with skipRegistryCheck=true to store it unchecked`,
    );
    const seen = await records();
    expect(seen.map((r) => r.persona)).toEqual(['bearerElsewhere']); // the unauthenticated probe only
    expect(seen[0]!.headers.authorization).toBeUndefined();
    await expectNeverSeen(USER, PASSWORD);
  });

  it('never follows a redirect, with or without credentials', async () => {
    for (const persona of ['redirect', 'redirectFirst']) {
      const res = await create(`redirect-${persona}`, H[persona]!, PASSWORD);
      expect(res.status, res.text).toBe(502);
      expect(res.body.message).toMatch(/answered with a redirect( \(30\d\))?; Latchkey does not follow redirects with credentials/);
    }
    expect((await records()).filter((r) => r.persona === 'token')).toEqual([]);
  });

  it('reads a few KiB of an endless answer and stops, quickly', async () => {
    const started = Date.now();
    const res = await create('huge', H.huge!, 'not-the-stored-one');
    expect(res.status).toBe(400); // the Basic challenge is read (bounded), then the login is refused
    expect(Date.now() - started).toBeLessThan(8000);
    const huge = (await (await fetch(`${hostile.control}/huge`)).json()) as { bytesWritten: number; closedEarly: boolean; finished: boolean };
    await expect.poll(async () => ((await (await fetch(`${hostile.control}/huge`)).json()) as typeof huge).closedEarly, { timeout: 5000 }).toBe(true);
    expect(huge.finished).toBe(false);
    // Far below the 256 MiB offered: what the sockets buffered, not what the worker read (8 KiB).
    expect(huge.bytesWritten).toBeLessThan(32 * 1024 * 1024);
  });

  describe('registries that run out the 10 s limit', () => {
    // Both checks wait out the worker's 10 s limit: they are sent together, and each test reads its own answer.
    let slow: ReturnType<typeof create>;
    let trickle: ReturnType<typeof create>;
    beforeAll(() => {
      slow = create('slow', H.slow!, 'x');
      trickle = create('trickle', H.trickle!, 'x');
    });

    it('gives up on a registry that never answers, and says so without naming internal details', async () => {
      const res = await slow;
      expect(res.status).toBe(502);
      expect(res.body.message).toBe(`Could not check the login with container registry '${H.slow}': the registry could not be reached: no answer within 10 s. Try again, or save with skipRegistryCheck=true to store it unchecked`);
    }, 20_000);

    it('gives up on a registry that sends its headers and then trickles the body, as on no answer (502, not 500)', async () => {
      const res = await trickle;
      expect(res.status, res.text).toBe(502);
      expect(res.body.message).toBe(`Could not check the login with container registry '${H.trickle}': the registry could not be reached: no complete answer within 10 s. Try again, or save with skipRegistryCheck=true to store it unchecked`);
    }, 20_000);
  });

  it('answers a malformed realm and odd registry names with a 4xx or 502 naming the registry, never a 500', async () => {
    const malformed = await create('malformed', H.malformedRealm!, 'x');
    expect(malformed.status).toBe(502);
    expect(malformed.body.message).toBe(
      `Could not check the login with container registry '${H.malformedRealm}': the Bearer challenge names a token service (realm) that is not a URL. Try again, or save with skipRegistryCheck=true to store it unchecked`,
    );
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await create(`odd-${name.replace(/_/g, 'u')}`, name, 'x');
      expect(res.status, `${name}: ${res.text}`).toBe(400);
      expect(res.body.message).toMatch(/^Field 'credentials\.keys\.registry' (must be a registry host|'.+' is a single-label name)/);
    }
  });
});

describe('registry addresses: loopback, private, link-local, IPv6, user info and ports are refused before any connection', () => {
  const cases: Array<[string, RegExp]> = [
    ['127.0.0.2:5000', /is an IP address \(loopback\)/],
    ['localhost', /is a loopback, private or special-use name \(localhost\)/],
    ['localhost:5000', /is a loopback, private or special-use name \(localhost\)/],
    ['registry.localhost', /special-use name \(\*\.localhost\)/],
    ['10.0.0.5:5000', /is an IP address/],
    ['172.16.3.4', /is an IP address/],
    ['192.168.1.10', /is an IP address/],
    ['169.254.169.254', /is an IP address/],
    ['100.64.0.1', /is an IP address/],
    ['0.0.0.0', /is an IP address/],
    ['2130706433', /is an IP address/],
    ['0x7f.0.0.1', /is an IP address/],
    ['017700000001', /is an IP address/],
    ['registry.example.com.1', /ends in a number, which makes it an IP address/],
    ['[::1]:5000', /must be a registry host name, not an IPv6 address/],
    ['[fe80::1]', /must be a registry host name, not an IPv6 address/],
    ['::ffff:127.0.0.1', /must be a registry host name, not an IPv6 address/],
    ['user:pass@registry.example.com', /must not contain a user name or password/],
    ['https://user@registry.example.com/v2/', /must not contain a user name or password/],
    ['registry.example.com:22', /names port 22; registry checks go only to HTTPS on port 443/],
    ['registry', /is a single-label name/],
    ['printer.local', /special-use name \(\*\.local\)/],
    ['metadata.google.internal', /special-use name \(\*\.internal\)/],
    ['nas.home.arpa', /special-use name \(\*\.home\.arpa\)/],
  ];
  it.each(cases)('%s', async (registry, rule) => {
    const res = await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: reg(`ssrf-${Math.random().toString(36).slice(2, 8)}`, registry, PASSWORD) });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toMatch(/^Field 'credentials\.keys\.registry' /);
    expect(res.body.message).toMatch(rule);
  });

  it('still stores a private registry unchecked, and refuses to check it on demand', async () => {
    const saved = await call('POST', `/credentials${ws(workspaceId)}&skipRegistryCheck=true`, { token: owner.token, json: reg('private-registry', '10.1.2.3:5000', 'p') });
    expect(saved.status, saved.text).toBe(200);
    const check = await call('POST', `/credentials/${saved.body.credentialsId}/check${ws(workspaceId)}`, { token: owner.token });
    expect(check.status).toBe(400);
    expect(check.body.message).toMatch(/'10\.1\.2\.3:5000' is an IP address .* REGISTRY_ALLOWED_HOSTS/);
  });
});

describe('checking a stored login on demand', () => {
  it('needs the manage role, is audited with its outcome, and is limited per credential', async () => {
    const expected: Record<string, number> = { owner: 204, admin: 204, maintain: 403, launch: 403, connect: 403, view: 403 };
    const path = `/credentials/${storedId}/check${ws(workspaceId)}`;
    const made = await call('POST', `/credentials${ws(workspaceId)}`, { token: owner.token, json: reg('limited', env.TEST_REGISTRY_BASIC, PASSWORD) });
    const limited = `/credentials/${made.body.credentialsId}/check${ws(workspaceId)}`;
    for (const [role, status] of Object.entries(expected)) expect((await call('POST', limited, { token: members[role]!.token })).status, role).toBe(status);
    expect((await call('POST', path, { token: outsider.token })).status).toBe(404);
    // Two checks so far on 'limited'; three more are allowed in the window, the sixth is refused.
    for (let i = 0; i < 3; i++) expect((await call('POST', limited, { token: owner.token })).status).toBe(204);
    const refused = await call('POST', limited, { token: owner.token });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toMatch(/^Credentials '\w+' were checked 5 times in the last 10 minutes, the most allowed; try again in \d+ s$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const audit = (await env.DB.prepare("SELECT actor_id, detail FROM audit_events WHERE action = 'credentials.check' AND target_id = ?").bind(made.body.credentialsId).all<{ actor_id: string; detail: string }>()).results;
    expect(audit).toHaveLength(5);
    expect(audit.map((a) => JSON.parse(a.detail).outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
    await expectNeverSeen(USER, PASSWORD);
  });
});
