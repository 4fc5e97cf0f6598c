/**
 * Container registry server names, as Seqera stores them: a host (and optional port), no scheme, no path.
 * An empty value means Docker Hub.
 */
export const DOCKER_HUB = 'docker.io';

const HOST_PORT = /^(?=.{1,253}(?::\d{1,5})?$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::(\d{1,5}))?$/;
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'hub.docker.com', 'registry.hub.docker.com']);

/**
 * Turns whatever a user pasted ("https://quay.io/v2/", "Docker.io", "localhost:5000/my/repo") into the host form.
 * Returns null when no host can be made of it (registryFormProblem says why).
 */
export function normalizeRegistry(input: string | undefined | null): string | null {
  let value = (input ?? '').trim();
  if (value === '') return DOCKER_HUB;
  value = value.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  value = value.split(/[/?#]/, 1)[0] ?? '';
  if (value.includes('@')) return null; // user:pass@ never belongs in a server name, and is not silently dropped
  value = value.toLowerCase();
  if (!HOST_PORT.test(value)) return null;
  const port = value.match(/:(\d+)$/)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return null;
  return DOCKER_HUB_ALIASES.has(value) ? DOCKER_HUB : value;
}

/** Why a registry value cannot be stored, or null: the field's rule, said precisely. */
export function registryFormProblem(input: string | undefined | null): string | null {
  if (normalizeRegistry(input) !== null) return null;
  const value = (input ?? '').trim().replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '').split(/[/?#]/, 1)[0] ?? '';
  if (value.includes('@')) return "must not contain a user name or password (user:pass@host); put the user in 'userName' and the password in 'password'";
  if (value.startsWith('[') || (value.match(/:/g) ?? []).length > 1) return 'must be a registry host name, not an IPv6 address';
  return 'must be a registry host such as docker.io, quay.io or registry.example.com:5000';
}
