/**
 * A stand-in for a Cloudflare Access team: serves a JWKS at /cdn-cgi/access/certs on 127.0.0.1 and hands the
 * matching private key to tests so they can sign Access JWTs; /fetches counts the JWKS requests (the worker's key
 * cache and its cool-down are checked with it). Test infrastructure only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';

export interface AccessPeer {
  origin: string;
  privateJwk: string;
  close(): Promise<void>;
}

export async function startAccessPeer(): Promise<AccessPeer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === '/cdn-cgi/access/certs') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else if (req.url === '/fetches') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ fetches }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256' }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
