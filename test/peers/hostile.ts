/**
 * A hostile listener for the attacker suite: one port per persona, each posing as a registry or token service the way
 * an attacker would set one up, and all of them recording every request's method, URL and headers, so a test can
 * assert that a stored password never reached any of them. Test infrastructure only.
 *
 * Personas: `basic` (a Basic challenge), `bearerElsewhere` (a Bearer realm on another host name, `localhost`),
 * `token` (a token service that answers anyone), `redirect` (302 to `token` once credentials arrive),
 * `redirectFirst` (302 before any challenge), `huge` (a challenge with an endless body; counts bytes written before the
 * client went away), `slow` (never answers), `trickle` (a challenge whose body never ends, one byte every half second), `malformedRealm` (`Bearer realm="::notaurl"`).
 * Control: GET /records, POST /reset, GET /huge.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileRecord {
  persona: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface HostilePeer {
  /** persona → host:port on 127.0.0.1 */
  hosts: Record<string, string>;
  control: string;
  close(): Promise<void>;
}

const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

export async function startHostilePeer(): Promise<HostilePeer> {
  const records: HostileRecord[] = [];
  const huge = { bytesWritten: 0, closedEarly: false, finished: false };
  const hung: ServerResponse[] = [];
  const servers: Server[] = [];
  const ports: Record<string, number> = {};

  const personas: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    basic: (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="evil"', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    },
    bearerElsewhere: (_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://localhost:${ports.token}/token",service="evil"` });
      res.end();
    },
    token: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"token":"stolen"}');
    },
    redirect: (req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="evil"' });
        return res.end();
      }
      res.writeHead(302, { location: `http://127.0.0.1:${ports.token}/v2/` });
      res.end();
    },
    redirectFirst: (_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${ports.token}/v2/` });
      res.end();
    },
    huge: (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="huge"', 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const limit = 256 * 1024 * 1024; // far more than any check may read
      res.on('close', () => {
        if (!huge.finished) huge.closedEarly = true;
      });
      const pump = () => {
        while (huge.bytesWritten < limit) {
          huge.bytesWritten += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
          if (res.destroyed) return;
        }
        huge.finished = true;
        res.end();
      };
      pump();
    },
    slow: (_req, res) => void hung.push(res),
    trickle: (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="trickle"' });
      res.write('a');
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('a')), 500);
      hung.push(res);
    },
    malformedRealm: (_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="::notaurl",service="x"' });
      res.end();
    },
  };

  for (const [name, handle] of Object.entries(personas)) {
    const server = createServer((req, res) => {
      records.push({ persona: name, method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } });
      req.resume();
      handle(req, res);
    });
    servers.push(server);
    ports[name] = await listen(server);
  }

  const control = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/records') return res.end(JSON.stringify(records));
    if (req.url === '/huge') return res.end(JSON.stringify(huge));
    if (req.url === '/reset' && req.method === 'POST') {
      records.length = 0;
      Object.assign(huge, { bytesWritten: 0, closedEarly: false, finished: false });
      return res.end('{}');
    }
    res.statusCode = 404;
    res.end('{}');
  });
  servers.push(control);
  const controlPort = await listen(control);

  return {
    hosts: Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `127.0.0.1:${port}`])),
    control: `http://127.0.0.1:${controlPort}`,
    close: async () => {
      for (const r of hung) r.destroy();
      await Promise.all(servers.map((s) => new Promise((resolve) => (s.closeAllConnections(), s.close(resolve)))));
    },
  };
}
