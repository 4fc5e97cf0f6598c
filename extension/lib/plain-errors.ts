/**
 * What a failed call means, in plain language, with the raw detail kept for a Details toggle. Failures of the network
 * or the server (status 0, 5xx) are never about a form field; refusals that name a field (400, 409) are.
 */
import type { Failure } from './api';
import { i18n } from '#i18n';

export interface PlainFailure {
  text: string;
  details?: string;
  /** The form field to mark, only when the server's refusal names one. */
  field?: string;
  /** The registry could not be asked; the user may save without the check. */
  registryUnreachable: boolean;
}

export function plainFailure(f: Failure): PlainFailure {
  const base = { registryUnreachable: false, details: f.status ? `HTTP ${f.status}: ${f.message}` : f.message };
  if (f.status === 0 && f.reason === 'not-connected') return { ...base, text: f.message, details: undefined };
  if (f.status === 0 && f.reason === 'timeout')
    return { ...base, text: i18n.t('errors.timedOut') };
  if (f.status === 0) return { ...base, text: i18n.t('errors.unreachable') };
  if (f.status === 401) return { ...base, text: i18n.t('errors.tokenRefused') };
  if (f.status === 502 && /container registry '([^']+)'/.test(f.message)) {
    const registry = /container registry '([^']+)'/.exec(f.message)![1];
    return { ...base, text: i18n.t('errors.registryUnreachable', [registry!]), registryUnreachable: true };
  }
  if (f.status === 429) return { ...base, text: f.message };
  if (f.status >= 500) return { ...base, text: i18n.t('errors.serverProblem', [String(f.status)]) };
  return { text: f.message, field: f.field, registryUnreachable: false };
}
