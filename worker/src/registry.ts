/**
 * Checks a container registry login the way `docker login` does: GET /v2/, then answer the WWW-Authenticate
 * challenge — Basic, or Bearer per the Docker Registry token spec (realm, service, scope). docker.io is served by
 * registry-1.docker.io, whose token realm is auth.docker.io. Never logs or returns the password.
 */
import { DOCKER_HUB } from '../../shared/registry';
import type { CredentialsVerifier } from './credentials';
import { ApiError } from './errors';

export type RegistryVerdict = { ok: true } | { ok: false; reason: 'refused'; detail: string } | { ok: false; reason: 'unreachable'; detail: string };

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

export type RegistryEndpoints = Readonly<Record<string, string>>;

/** REGISTRY_ENDPOINTS: JSON {"docker.io": "https://mirror.example.com"} sending a registry's checks elsewhere. */
export function registryEndpoints(json: string | undefined): RegistryEndpoints {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as unknown;
    if (!parsed || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string' && /^https?:\/\//.test(v)).map(([k, v]) => [k, (v as string).replace(/\/+$/, '')]));
  } catch {
    console.error('latchkey: REGISTRY_ENDPOINTS is not valid JSON; ignoring it');
    return {};
  }
}

/** The base URL of a registry host: Docker Hub's API host for docker.io; plain HTTP only on loopback, as Docker allows. */
export function registryBase(registry: string, endpoints: RegistryEndpoints = {}): string {
  const override = endpoints[registry];
  if (override) return override;
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  return `${LOOPBACK.test(registry) ? 'http' : 'https'}://${registry}`;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (or Basic) into its scheme and parameters. */
export function parseChallenge(header: string | null): { scheme: string; params: Record<string, string> } | null {
  if (!header) return null;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return null;
  const params: Record<string, string> = {};
  for (const p of m[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1]!.toLowerCase(), params };
}

const basic = (user: string, password: string) => {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return `Basic ${btoa(s)}`;
};

export async function checkRegistryLogin(registry: string, userName: string, password: string, endpoints: RegistryEndpoints = {}, timeoutMs = 10_000): Promise<RegistryVerdict> {
  const base = registryBase(registry, endpoints);
  const get = async (url: string, headers: Record<string, string> = {}) => {
    try {
      return await fetch(url, { headers: { 'user-agent': 'latchkey-registry-check', ...headers }, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const name = (err as Error).name;
      throw new Unreachable(name === 'TimeoutError' ? `no answer from ${new URL(url).host} within ${timeoutMs / 1000} s` : `${new URL(url).host} could not be reached (${(err as Error).message})`);
    }
  };
  try {
    const first = await get(`${base}/v2/`);
    await drain(first);
    if (first.ok) return { ok: true }; // an open registry accepts any login
    if (first.status !== 401) return { ok: false, reason: 'unreachable', detail: `${base}/v2/ answered ${first.status}, not a registry API challenge` };
    const challenge = parseChallenge(first.headers.get('www-authenticate'));
    if (!challenge) return { ok: false, reason: 'unreachable', detail: `${base}/v2/ answered 401 without a WWW-Authenticate challenge` };

    if (challenge.scheme === 'basic') {
      const res = await get(`${base}/v2/`, { authorization: basic(userName, password) });
      await drain(res);
      return res.ok ? { ok: true } : res.status === 401 || res.status === 403 ? { ok: false, reason: 'refused', detail: `the registry answered ${res.status}` } : { ok: false, reason: 'unreachable', detail: `the registry answered ${res.status}` };
    }
    if (challenge.scheme === 'bearer') {
      const { realm, service, scope } = challenge.params;
      if (!realm) return { ok: false, reason: 'unreachable', detail: 'the Bearer challenge names no realm' };
      const tokenUrl = new URL(realm);
      if (service) tokenUrl.searchParams.set('service', service);
      if (scope) tokenUrl.searchParams.set('scope', scope);
      tokenUrl.searchParams.set('account', userName);
      const res = await get(tokenUrl.toString(), { authorization: basic(userName, password) });
      if (res.status === 401 || res.status === 403) {
        await drain(res);
        return { ok: false, reason: 'refused', detail: `the token service answered ${res.status}` };
      }
      if (!res.ok) {
        await drain(res);
        return { ok: false, reason: 'unreachable', detail: `the token service ${tokenUrl.host} answered ${res.status}` };
      }
      const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      if (!token) return { ok: false, reason: 'unreachable', detail: `the token service ${tokenUrl.host} returned no token` };
      const check = await get(`${base}/v2/`, { authorization: `Bearer ${token}` });
      await drain(check);
      return check.ok ? { ok: true } : { ok: false, reason: 'refused', detail: `the registry refused the token (${check.status})` };
    }
    return { ok: false, reason: 'unreachable', detail: `unsupported authentication scheme '${challenge.scheme}'` };
  } catch (err) {
    if (err instanceof Unreachable) return { ok: false, reason: 'unreachable', detail: err.message };
    throw err;
  }
}

class Unreachable extends Error {}

/** Reads a (small) response to its end, so the connection is released cleanly rather than cut. */
async function drain(res: Response): Promise<void> {
  await res.arrayBuffer().catch(() => undefined);
}

/** 400 with Seqera's message when the registry refuses the login; 502 when it cannot be asked. */
export async function assertRegistryLogin(registry: string, userName: string, password: string, endpoints: RegistryEndpoints = {}): Promise<void> {
  const verdict = await checkRegistryLogin(registry, userName, password, endpoints);
  if (verdict.ok) return;
  if (verdict.reason === 'refused') throw new ApiError(400, `Invalid credentials for container registry '${registry}'`);
  throw new ApiError(
    502,
    `Could not check the login with container registry '${registry}': ${verdict.detail}. Try again, or save with skipRegistryCheck=true to store it unchecked`,
  );
}

/** The check run before container-reg credentials are saved (unless the caller skips it). */
export function registryVerifier(skip: boolean, endpoints: RegistryEndpoints = {}): CredentialsVerifier {
  return async (provider, publicKeys, secretKeys) => {
    if (provider !== 'container-reg' || skip) return;
    await assertRegistryLogin(String(publicKeys.registry), String(publicKeys.userName), secretKeys.password ?? '', endpoints);
  };
}
