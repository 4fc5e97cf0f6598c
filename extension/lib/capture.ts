/**
 * Finding a freshly shown registry token on a page: Docker Hub's "Copy access token" step (dckr_pat_…) and Quay's
 * robot-account credentials (namespace+name and its token). Only the site's token dialog on its token pages counts:
 * a token in a README, a comment or any other text is not offered. Pure functions over the DOM, so they are
 * testable and the content scripts stay thin. Nothing here sends or stores anything.
 */
export interface Captured {
  registry: string;
  token: string;
  userName: string | null;
  /** YYYY-MM-DD when the site says when the token expires (Docker Hub shows an expiration date). */
  expiresAt?: string;
  /** A base for the suggested credentials name. */
  nameBase: string;
}

const DOCKER_PAT = /\bdckr_pat_[A-Za-z0-9_-]{8,}/;
const QUAY_ROBOT_NAME = /\b([a-z0-9][a-z0-9_]{0,254}\+[a-z0-9][a-z0-9_]{0,254})\b/;
const QUAY_ROBOT_TOKEN = /\b[A-Z0-9]{32,}\b/;
const DIALOGS = '[role="dialog"], [role="alertdialog"], dialog[open], [aria-modal="true"], .modal';

const HIDDEN = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);

/** What the page shows: field values and text, never the source of its scripts or styles. */
function textsOf(root: Node): string[] {
  const out: string[] = [];
  if (root instanceof Element || root instanceof Document)
    for (const el of root.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input, textarea')) if (el.value) out.push(el.value);
  const doc = root.ownerDocument ?? (root as Document);
  const walker = doc.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
  const parts: string[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!HIDDEN.has(n.parentElement?.tagName ?? '')) parts.push(n.nodeValue ?? '');
  out.push(parts.join(' '));
  return out;
}

/** Docker Hub's personal access token pages (Account settings › Personal access tokens; the older Security page). */
export function isDockerHubTokenPage(url: URL): boolean {
  return url.origin === 'https://hub.docker.com' && /^\/settings\/(personal-access-tokens|security)(\/|$)/.test(url.pathname);
}

/** Quay's robot-account views: an organization's or user's Robot accounts tab (old and new UI). */
export function isQuayRobotView(url: URL): boolean {
  if (url.origin !== 'https://quay.io') return false;
  if (/^\/(organization|user)\/[^/]+\/?$/.test(url.pathname)) return ['robots', 'robotaccounts'].includes(url.searchParams.get('tab') ?? '');
  return /^\/organization\/[^/]+\/robots?(\/|$)/.test(url.pathname);
}

const EXPIRY = /\b(?:expires?(?:\s+on)?|expiration(?:\s+date)?)\s*:?\s*([A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4})/i;

/** The expiry date a token dialog states ("Expires on Mar 31, 2027", "Expiration date: 2027-03-31"), as YYYY-MM-DD. */
export function expiryIn(text: string): string | undefined {
  const m = EXPIRY.exec(text);
  if (!m) return undefined;
  const raw = m[1]!.replace(/\./g, '');
  const t = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : Date.parse(`${raw} 00:00:00 UTC`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString().slice(0, 10);
}

export function findDockerHubToken(doc: Document, url: URL): Captured | null {
  if (!isDockerHubTokenPage(url)) return null;
  for (const scope of doc.querySelectorAll(DIALOGS)) {
    for (const text of textsOf(scope)) {
      const token = DOCKER_PAT.exec(text)?.[0];
      if (!token) continue;
      const all = textsOf(scope).join(' ');
      const userName = /docker login\s+(?:-u|--username)[ =]?\s*([A-Za-z0-9][A-Za-z0-9_.-]{1,29})/.exec(all)?.[1] ?? null;
      const expiresAt = expiryIn(all);
      return { registry: 'docker.io', token, userName, nameBase: `dockerhub-${userName ?? 'token'}`, ...(expiresAt ? { expiresAt } : {}) };
    }
  }
  return null;
}

export function findQuayRobot(doc: Document, url: URL): Captured | null {
  if (!isQuayRobotView(url)) return null;
  for (const scope of doc.querySelectorAll(DIALOGS)) {
    const texts = textsOf(scope);
    const joined = texts.join('\n');
    const robot = QUAY_ROBOT_NAME.exec(joined)?.[1];
    if (!robot) continue;
    const token = texts.map((t) => QUAY_ROBOT_TOKEN.exec(t)?.[0]).find(Boolean);
    if (!token) continue;
    return { registry: 'quay.io', token, userName: robot, nameBase: `quay-${robot.replace('+', '-')}` };
  }
  return null;
}

/** What the panel shows: the token's kind and last four characters, never the token. */
export function maskToken(token: string): string {
  const prefix = token.startsWith('dckr_pat_') ? 'dckr_pat_' : '';
  return `${prefix}••••••••${token.slice(-4)}`;
}
