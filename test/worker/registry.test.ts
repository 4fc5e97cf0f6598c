import { env } from 'cloudflare:workers';
import { QUAY_ROBOT } from '../fixtures/registry-logins';
import { describe, expect, it } from 'vitest';
import { parseChallenge, realmProblem, registryBase, registryEndpoints, registryPolicy } from '../../worker/src/registry';
import { call, seedUser } from './helpers';

const USER = 'acme+ci';
const RIGHT = QUAY_ROBOT.token;
const registryCreds = (name: string, registry: string, password: string, userName = USER) => ({
  credentials: { name, provider: 'container-reg', keys: { userName, password, registry } },
});

describe('container registry login check', () => {
  it.each([
    ['Basic (htpasswd)', () => env.TEST_REGISTRY_BASIC],
    ['Bearer (token service)', () => env.TEST_REGISTRY_TOKEN],
  ])('%s: saves a login the registry accepts and refuses one it does not, as Seqera does', async (_label, host) => {
    const me = await seedUser();
    const registry = host();
    const wrong = await call('POST', '/credentials', { token: me.token, json: registryCreds('bad', registry, 'not-the-token') });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ message: `Invalid credentials for container registry '${registry}'` });
    const unknownUser = await call('POST', '/credentials', { token: me.token, json: registryCreds('bad', registry, RIGHT, 'mallory') });
    expect(unknownUser.status).toBe(400);
    expect((await call('GET', '/credentials', { token: me.token })).body.credentials).toEqual([]);

    const right = await call('POST', '/credentials', { token: me.token, json: registryCreds('good', `http://${registry}/v2/`, RIGHT) });
    expect(right.status, right.text).toBe(200);
    const id = right.body.credentialsId;
    expect((await call('GET', `/credentials/${id}`, { token: me.token })).body.credentials.keys).toEqual({ discriminator: 'container-reg', userName: USER, registry });
    expect((await call('POST', `/credentials/${id}/check`, { token: me.token })).status).toBe(204);

    // An update is checked with the merged fields: a wrong new password is refused and changes nothing.
    const badUpdate = await call('PUT', `/credentials/${id}`, { token: me.token, json: registryCreds('good', registry, 'wrong-now') });
    expect(badUpdate.status).toBe(400);
    expect((await call('POST', `/credentials/${id}/check`, { token: me.token })).status).toBe(204);
    // Renaming keeps the stored password, which is checked again and still accepted.
    const rename = await call('PUT', `/credentials/${id}`, { token: me.token, json: { credentials: { name: 'renamed', provider: 'container-reg', keys: { userName: USER, registry } } } });
    expect(rename.status, rename.text).toBe(204);
  });

  it('tells an unreachable registry apart, and can save without the check', async () => {
    const me = await seedUser();
    const res = await call('POST', '/credentials', { token: me.token, json: registryCreds('far', '127.0.0.1:9', RIGHT) });
    expect(res.status).toBe(502);
    expect(res.body.message).toBe(
      "Could not check the login with container registry '127.0.0.1:9': the registry could not be reached: the connection failed. Try again, or save with skipRegistryCheck=true to store it unchecked",
    );
    const skipped = await call('POST', '/credentials?skipRegistryCheck=true', { token: me.token, json: registryCreds('far', '127.0.0.1:9', RIGHT) });
    expect(skipped.status).toBe(200);
    const recheck = await call('POST', `/credentials/${skipped.body.credentialsId}/check`, { token: me.token });
    expect(recheck.status).toBe(502);
    expect((await call('POST', '/credentials?skipRegistryCheck=maybe', { token: me.token, json: registryCreds('x', '127.0.0.1:9', RIGHT) })).body.message).toBe(
      "Query parameter 'skipRegistryCheck' must be 'true' or 'false'",
    );
  });

  it('re-checks only container-registry credentials, and only in workspaces the caller can see', async () => {
    const me = await seedUser();
    const other = await seedUser();
    const gh = await call('POST', '/credentials', { token: me.token, json: { credentials: { name: 'gh', provider: 'github', keys: { username: 'u', password: 'p' } } } });
    const check = await call('POST', `/credentials/${gh.body.credentialsId}/check`, { token: me.token });
    expect(check.status).toBe(400);
    expect(check.body.message).toMatch(/only container-reg logins can be checked/);
    const reg = await call('POST', '/credentials', { token: me.token, json: registryCreds('r', env.TEST_REGISTRY_BASIC, RIGHT) });
    expect((await call('POST', `/credentials/${reg.body.credentialsId}/check`, { token: other.token })).status).toBe(404);
  });

  it('maps docker.io to Docker Hub’s API host and reads challenges as the token spec writes them', () => {
    const policy = registryPolicy({ REGISTRY_ALLOW_INSECURE_LOOPBACK: 'true' });
    expect(registryBase('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBase('quay.io')).toBe('https://quay.io');
    expect(registryBase('127.0.0.1:5000', policy)).toBe('http://127.0.0.1:5000');
    expect(registryBase('127.0.0.1:5000', registryPolicy({}))).toBe('https://127.0.0.1:5000'); // plain HTTP only when the operator allows it
    expect(registryBase('localhost:5000', policy)).toBe('http://localhost:5000');
    expect(registryBase('docker.io', registryEndpoints('{"docker.io":"http://127.0.0.1:5001/"}'))).toBe('http://127.0.0.1:5001');
    expect([...registryEndpoints('not json')]).toEqual([]);
    expect(registryEndpoints('{"constructor":"https://x.example"}').get('toString')).toBeUndefined();
    const bearer = parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"');
    expect(bearer?.scheme).toBe('bearer');
    expect(Object.fromEntries(bearer!.params)).toEqual({ realm: 'https://auth.docker.io/token', service: 'registry.docker.io' });
    expect(parseChallenge('Bearer realm="https://quay.io/v2/auth",service="quay.io",scope="repository:a/b:pull"')?.params.get('scope')).toBe('repository:a/b:pull');
    expect(Object.fromEntries(parseChallenge('Basic realm="Registry Realm"')!.params)).toEqual({ realm: 'Registry Realm' });
    expect(parseChallenge('Bearer constructor="x",__proto__="y"')?.params.get('constructor')).toBe('x');
    expect(parseChallenge(null)).toBeNull();
  });

  it('sends the login only to the registry or its own token service', () => {
    const policy = registryPolicy({});
    const problem = (realm: string, registry: string) => realmProblem(new URL(realm), registry, new URL(registryBase(registry, policy)), policy);
    expect(problem('https://auth.docker.io/token', 'docker.io')).toBeNull();
    expect(problem('https://quay.io/v2/auth', 'quay.io')).toBeNull();
    expect(problem('https://gitlab.com/jwt/auth', 'registry.gitlab.com')).toBeNull();
    expect(problem('https://ghcr.io/token', 'ghcr.io')).toBeNull();
    expect(problem('https://attacker.example/token', 'quay.io')).toBe("its token service attacker.example is not the registry's own host or domain");
    expect(problem('https://auth.docker.io.attacker.example/token', 'docker.io')).toMatch(/is not the registry's own host or domain/);
    expect(problem('http://quay.io/v2/auth', 'quay.io')).toBe('its token service http://quay.io is not HTTPS');
    expect(problem('https://user:pw@quay.io/v2/auth', 'quay.io')).toBe('its token service address carries a user name or password');
  });
});
