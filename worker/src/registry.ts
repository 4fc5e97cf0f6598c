/**
 * Checks a container registry login the way `docker login` does: GET /v2/, then answer the WWW-Authenticate
 * challenge — Basic, or Bearer per the Docker Registry token spec (realm, service, scope). docker.io is served by
 * registry-1.docker.io, whose token realm is auth.docker.io.
 *
 * The password leaves the worker only for the registry itself or its token service, over HTTPS, never after a
 * redirect, and never to an address the operator did not allow: IP literals, loopback, private and special-use names
 * and odd ports are refused before any connection (registryHostProblem). Every answer is read up to a few KiB within
 * one time budget, and errors never say which internal address or port answered. Never logs or returns the password.
 */
import { DOCKER_HUB } from '../../shared/registry';
import type { CredentialsVerifier } from './credentials';
import { ApiError } from './errors';

export type RegistryVerdict = { ok: true } | { ok: false; reason: 'refused'; detail: string } | { ok: false; reason: 'unreachable'; detail: string };

/** What the operator decided about registry checks (REGISTRY_ENDPOINTS, REGISTRY_ALLOWED_HOSTS, the loopback flag). */
export interface RegistryPolicy {
  /** Registry host → base URL its checks go to instead (a mirror, a local registry in tests). */
  endpoints: ReadonlyMap<string, string>;
  /** host or host:port entries the address rules do not apply to (a bare host allows every port). */
  allowed: ReadonlySet<string>;
  /** Plain HTTP to loopback addresses, for development. */
  insecureLoopback: boolean;
}

/** Read this much of any registry or token-service answer, then stop reading. */
export const ANSWER_LIMIT_BYTES = 8 * 1024;
/** All requests of one check share this budget. */
export const CHECK_BUDGET_MS = 10_000;

/** The operator's settings, parsed once per request; lookups by user input use Maps, never plain objects. */
export function registryPolicy(env: { REGISTRY_ENDPOINTS?: string; REGISTRY_ALLOWED_HOSTS?: string; REGISTRY_ALLOW_INSECURE_LOOPBACK?: string }): RegistryPolicy {
  const endpoints = new Map<string, string>();
  if (env.REGISTRY_ENDPOINTS) {
    try {
      const parsed = JSON.parse(env.REGISTRY_ENDPOINTS) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        for (const [host, url] of Object.entries(parsed)) if (typeof url === 'string' && /^https?:\/\//.test(url)) endpoints.set(host.toLowerCase(), url.replace(/\/+$/, ''));
    } catch {
      console.error('latchkey: REGISTRY_ENDPOINTS is not valid JSON; ignoring it');
    }
  }
  const allowed = new Set(
    (env.REGISTRY_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  return { endpoints, allowed, insecureLoopback: env.REGISTRY_ALLOW_INSECURE_LOOPBACK === 'true' };
}

/** For tests and callers with plain JSON: the endpoints map alone. */
export const registryEndpoints = (json: string | undefined) => registryPolicy({ REGISTRY_ENDPOINTS: json }).endpoints;

const SPECIAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.localdomain', '.lan', '.intranet', '.corp', '.private', '.test', '.invalid', '.example', '.onion'];
const IPV4_PART = /^(0x[0-9a-f]*|[0-9]+)$/i;

function splitHostPort(hostPort: string): { hostname: string; port: string | null } {
  const m = /^(.*?)(?::(\d+))?$/.exec(hostPort)!;
  return { hostname: m[1]!.replace(/\.$/, ''), port: m[2] ?? null };
}

const isLoopback = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]';

/**
 * Why checks may not go to this registry address, or null. `hostPort` is a host with an optional port, as stored.
 * The operator's allow-list (exact host:port, or a host for any port) and REGISTRY_ENDPOINTS hosts pass.
 */
export function registryHostProblem(hostPort: string, policy: RegistryPolicy): string | null {
  const hp = hostPort.toLowerCase();
  const { hostname, port } = splitHostPort(hp);
  if (policy.endpoints.has(hp) || policy.allowed.has(hp) || policy.allowed.has(hostname)) return null;
  const how = 'The operator can allow it with REGISTRY_ALLOWED_HOSTS; to store it without a check, save with skipRegistryCheck=true';
  if (hp.includes('@')) return `contains a user name or password; Latchkey never sends credentials in an address. ${how}`;
  if (hostname.startsWith('[') || hostname.includes(':')) return `is an IPv6 address; registry checks go only to public host names. ${how}`;
  const labels = hostname.split('.');
  if (labels.length > 0 && labels.every((l) => IPV4_PART.test(l))) return `is an IP address (${isLoopback(hostname) ? 'loopback' : 'a literal address'}); registry checks go only to public host names. ${how}`;
  if (IPV4_PART.test(labels.at(-1) ?? '')) return `ends in a number, which makes it an IP address; registry checks go only to public host names. ${how}`;
  if (hostname === 'localhost' || SPECIAL_SUFFIXES.some((s) => hostname.endsWith(s)))
    return `is a loopback, private or special-use name (${hostname === 'localhost' ? 'localhost' : `*${SPECIAL_SUFFIXES.find((s) => hostname.endsWith(s))}`}); registry checks go only to public host names. ${how}`;
  if (labels.length < 2) return `is a single-label name, which only resolves inside a private network; registry checks go only to public host names. ${how}`;
  if (port !== null && port !== '443') return `names port ${port}; registry checks go only to HTTPS on port 443. ${how}`;
  return null;
}

/** Thrown (as a 400 naming the field) when a registry address breaks the rules above. */
export function assertRegistryHostAllowed(registry: string, policy: RegistryPolicy, field = 'credentials.keys.registry'): void {
  const problem = registryHostProblem(registry, policy);
  if (problem) throw new ApiError(400, `Field '${field}' '${registry}' ${problem}`);
}

/** The base URL checks go to: the operator's endpoint, Docker Hub's API host for docker.io, else HTTPS to the host. */
export function registryBase(registry: string, policy: RegistryPolicy | ReadonlyMap<string, string> = new Map()): string {
  const endpoints = policy instanceof Map ? policy : (policy as RegistryPolicy).endpoints;
  const override = endpoints.get(registry);
  if (override) return override;
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  const insecure = !(policy instanceof Map) && (policy as RegistryPolicy).insecureLoopback && isLoopback(splitHostPort(registry).hostname);
  return `${insecure ? 'http' : 'https'}://${registry}`;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic) into its scheme and parameters. */
export function parseChallenge(header: string | null): { scheme: string; params: Map<string, string> } | null {
  if (!header) return null;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header.slice(0, 2048));
  if (!m) return null;
  const params = new Map<string, string>();
  for (const p of m[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params.set(p[1]!.toLowerCase(), (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1'));
  return { scheme: m[1]!.toLowerCase(), params };
}

/** Token services known to belong to a registry whose own host differs from theirs. */
const KNOWN_REALMS = new Map([['registry-1.docker.io', new Set(['auth.docker.io'])], [DOCKER_HUB, new Set(['auth.docker.io'])]]);

/**
 * Why the password may not be sent to this Bearer realm, or null. The realm must be HTTPS (HTTP only to loopback under
 * the operator's development flag), pass the address rules, and belong to the registry: the same host, a parent
 * domain of it (registry.gitlab.com → gitlab.com), or a known pair (docker.io → auth.docker.io).
 */
export function realmProblem(realm: URL, registry: string, base: URL, policy: RegistryPolicy): string | null {
  const insecureOk = policy.insecureLoopback && isLoopback(realm.hostname);
  if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && insecureOk)) return `its token service ${realm.protocol}//${realm.host} is not HTTPS`;
  if (realm.username || realm.password) return 'its token service address carries a user name or password';
  const realmHost = realm.hostname.toLowerCase();
  const related = [base.hostname.toLowerCase(), splitHostPort(registry).hostname].some(
    (h) => realmHost === h || h.endsWith(`.${realmHost}`) || (KNOWN_REALMS.get(h)?.has(realmHost) ?? false),
  );
  if (!related) return `its token service ${realm.host} is not the registry's own host or domain`;
  const address = registryHostProblem(realm.port ? `${realmHost}:${realm.port}` : realmHost, policy);
  if (address && realmHost !== base.hostname.toLowerCase()) return `its token service ${realm.host} ${address.split('. ')[0]}`;
  return null;
}

const basic = (user: string, password: string) => {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return `Basic ${btoa(s)}`;
};

class Unreachable extends Error {}

/** Reads at most `limit` bytes of a body, then cancels the rest: a registry streaming gigabytes costs a few KiB. */
export async function readAnswer(res: Response, limit = ANSWER_LIMIT_BYTES): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, limit - size));
      size += Math.min(value.byteLength, limit - size);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

export async function checkRegistryLogin(registry: string, userName: string, password: string, policy: RegistryPolicy, budgetMs = CHECK_BUDGET_MS): Promise<RegistryVerdict> {
  const base = new URL(registryBase(registry, policy));
  const deadline = AbortSignal.timeout(budgetMs);
  const get = async (url: URL, headers: Record<string, string> = {}) => {
    try {
      // redirect 'manual': a 3xx is an answer to report, never a place to send the password next.
      return await fetch(url, { headers: { 'user-agent': 'latchkey-registry-check', ...headers }, redirect: 'manual', signal: deadline });
    } catch (err) {
      // The cause is not repeated: it would tell which internal addresses and ports answer.
      throw new Unreachable((err as Error).name === 'TimeoutError' ? `no answer within ${budgetMs / 1000} s` : 'the connection failed');
    }
  };
  // A body that stops or trickles past the budget is the same failure as no answer (never a raw error, never a 500).
  const readLimited = (res: Response) =>
    readAnswer(res).catch((err: unknown) => {
      throw new Unreachable((err as Error).name === 'TimeoutError' ? `no complete answer within ${budgetMs / 1000} s` : 'the connection failed');
    });
  const redirected = (res: Response) => res.status >= 300 && res.status < 400;
  try {
    const first = await get(new URL('/v2/', base));
    await readLimited(first);
    if (redirected(first)) return { ok: false, reason: 'unreachable', detail: `the registry answered with a redirect (${first.status}); Latchkey does not follow redirects with credentials` };
    if (first.ok) return { ok: true }; // an open registry accepts any login
    if (first.status !== 401) return { ok: false, reason: 'unreachable', detail: `the registry's /v2/ answered ${first.status}, not a registry API challenge` };
    const challenge = parseChallenge(first.headers.get('www-authenticate'));
    if (!challenge) return { ok: false, reason: 'unreachable', detail: "the registry's /v2/ answered 401 without a WWW-Authenticate challenge" };

    if (challenge.scheme === 'basic') {
      const res = await get(new URL('/v2/', base), { authorization: basic(userName, password) });
      await readLimited(res);
      if (res.ok) return { ok: true };
      if (res.status === 401 || res.status === 403) return { ok: false, reason: 'refused', detail: `the registry answered ${res.status}` };
      return { ok: false, reason: 'unreachable', detail: redirected(res) ? 'the registry answered with a redirect; Latchkey does not follow redirects with credentials' : `the registry answered ${res.status}` };
    }
    if (challenge.scheme === 'bearer') {
      const realmText = challenge.params.get('realm');
      if (!realmText) return { ok: false, reason: 'unreachable', detail: 'the Bearer challenge names no token service (realm)' };
      let tokenUrl: URL;
      try {
        tokenUrl = new URL(realmText);
      } catch {
        return { ok: false, reason: 'unreachable', detail: 'the Bearer challenge names a token service (realm) that is not a URL' };
      }
      const refusal = realmProblem(tokenUrl, registry, base, policy);
      if (refusal) return { ok: false, reason: 'unreachable', detail: `the login was not sent: ${refusal}` };
      const service = challenge.params.get('service');
      const scope = challenge.params.get('scope');
      if (service) tokenUrl.searchParams.set('service', service);
      if (scope) tokenUrl.searchParams.set('scope', scope);
      tokenUrl.searchParams.set('account', userName);
      const res = await get(tokenUrl, { authorization: basic(userName, password) });
      const text = await readLimited(res);
      if (res.status === 401 || res.status === 403) return { ok: false, reason: 'refused', detail: `the token service answered ${res.status}` };
      if (redirected(res)) return { ok: false, reason: 'unreachable', detail: 'the token service answered with a redirect; Latchkey does not follow redirects with credentials' };
      if (!res.ok) return { ok: false, reason: 'unreachable', detail: `the token service answered ${res.status}` };
      let body: { token?: unknown; access_token?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        body = {};
      }
      const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : null;
      if (!token) return { ok: false, reason: 'unreachable', detail: 'the token service returned no token (or one larger than Latchkey reads)' };
      const check = await get(new URL('/v2/', base), { authorization: `Bearer ${token}` });
      await readLimited(check);
      return check.ok ? { ok: true } : { ok: false, reason: 'refused', detail: `the registry refused the token (${check.status})` };
    }
    return { ok: false, reason: 'unreachable', detail: `the registry asks for an authentication scheme Latchkey does not support ('${challenge.scheme.slice(0, 20)}')` };
  } catch (err) {
    if (err instanceof Unreachable) return { ok: false, reason: 'unreachable', detail: `the registry could not be reached: ${err.message}` };
    throw err;
  }
}

/** 400 with Seqera's message when the registry refuses the login; 400 when the address is not allowed; 502 when it cannot be asked. */
export async function assertRegistryLogin(registry: string, userName: string, password: string, policy: RegistryPolicy): Promise<void> {
  assertRegistryHostAllowed(registry, policy);
  const verdict = await checkRegistryLogin(registry, userName, password, policy);
  if (verdict.ok) return;
  if (verdict.reason === 'refused') throw new ApiError(400, `Invalid credentials for container registry '${registry}'`);
  throw new ApiError(
    502,
    `Could not check the login with container registry '${registry}': ${verdict.detail}. Try again, or save with skipRegistryCheck=true to store it unchecked`,
  );
}

/** The check run before container-reg credentials are saved (unless the caller skips it). */
/** Whether saving credentials of `provider` logs in to their registry first (unless the request skips the check). */
export const checksRegistryLogin = (provider: string, skip: boolean) => provider === 'container-reg' && !skip;

export function registryVerifier(skip: boolean, policy: RegistryPolicy): CredentialsVerifier {
  return async (provider, publicKeys, secretKeys) => {
    if (!checksRegistryLogin(provider, skip)) return;
    await assertRegistryLogin(String(publicKeys.registry), String(publicKeys.userName), secretKeys.password ?? '', policy);
  };
}
