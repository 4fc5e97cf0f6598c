/**
 * Real container registries for tests: Debian's docker-registry (CNCF distribution 2.8) on 127.0.0.1, once with
 * htpasswd (Basic) auth and once in token mode behind a small token issuer that signs with jose, so both challenge
 * paths of the registry login check are exercised end to end. Test infrastructure only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { importPKCS8, SignJWT } from 'jose';

import { REGISTRY_USERS } from '../fixtures/registry-logins.ts';

export const REGISTRY_BINARY = process.env.DOCKER_REGISTRY_PATH ?? '/usr/bin/docker-registry';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(url: string, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

function runRegistry(dir: string, port: number, auth: string) {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
http:
  addr: 127.0.0.1:${port}
${auth}`,
  );
  return spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export interface RegistryPeers {
  basicHost: string;
  tokenHost: string;
  close(): Promise<void>;
}

export async function startRegistries(): Promise<RegistryPeers> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-registry-'));
  // Basic: htpasswd with bcrypt, as `htpasswd -B` writes it.
  writeFileSync(join(dir, 'htpasswd'), Object.entries(REGISTRY_USERS).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 6)}`).join('\n') + '\n');
  const basicPort = await freePort();
  const basic = runRegistry(join(dir, 'basic'), basicPort, `auth:\n  htpasswd:\n    realm: latchkey-test\n    path: ${join(dir, 'htpasswd')}\n`);

  // Token: a self-signed issuer certificate is the registry's root of trust; tokens carry it in x5c.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'issuer.key'), '-out', join(dir, 'issuer.crt'), '-days', '2', '-subj', '/CN=latchkey-test-issuer'], { stdio: 'ignore' });
  const certPem = readFileSync(join(dir, 'issuer.crt'), 'utf8');
  const x5c = [certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')];
  const key = await importPKCS8(readFileSync(join(dir, 'issuer.key'), 'utf8'), 'RS256');
  const service = 'latchkey-test-registry';
  const issuer: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization ?? '';
    const [user, pass] = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString().split(/:(.*)/s) : [];
    if (url.pathname !== '/token' || !user || REGISTRY_USERS[user] !== pass || url.searchParams.get('service') !== service) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    }
    const token = await new SignJWT({ access: [] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c })
      .setIssuer('latchkey-test-issuer')
      .setSubject(user)
      .setAudience(service)
      .setIssuedAt()
      .setNotBefore('-10s')
      .setExpirationTime('5m')
      .setJti(crypto.randomUUID())
      .sign(key);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((r) => issuer.listen(0, '127.0.0.1', r));
  const issuerPort = (issuer.address() as AddressInfo).port;
  const tokenPort = await freePort();
  const tokenRegistry = runRegistry(
    join(dir, 'token'),
    tokenPort,
    `auth:\n  token:\n    realm: http://127.0.0.1:${issuerPort}/token\n    service: ${service}\n    issuer: latchkey-test-issuer\n    rootcertbundle: ${join(dir, 'issuer.crt')}\n`,
  );
  await Promise.all([waitFor(`http://127.0.0.1:${basicPort}/v2/`), waitFor(`http://127.0.0.1:${tokenPort}/v2/`)]);
  return {
    basicHost: `127.0.0.1:${basicPort}`,
    tokenHost: `127.0.0.1:${tokenPort}`,
    close: async () => {
      for (const p of [basic, tokenRegistry]) p.kill('SIGTERM');
      await new Promise((r) => issuer.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
