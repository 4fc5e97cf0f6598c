import { useEffect, useState } from 'preact/hooks';
import { credentialsNameProblem, secretNameProblem } from '../../shared/names';
import { latchkey } from '../lib/service';
import { useDebounced } from './ui';
import { i18n } from '#i18n';

export type NameState = { state: 'idle' } | { state: 'checking' } | { state: 'ok' } | { state: 'bad'; message: string };

/**
 * Live name validation: the shared rule at once, then the worker's /validate (is it free?) once typing pauses.
 * The unchanged name of the record being edited is always fine.
 */
export function useNameCheck(kind: 'credentials' | 'secret', workspaceId: string | null, name: string, original?: string): NameState {
  const settled = useDebounced(name, 300);
  const [state, setState] = useState<NameState>({ state: 'idle' });
  useEffect(() => {
    if (name === '' || name === original) return setState({ state: 'idle' });
    const problem = kind === 'credentials' ? credentialsNameProblem(name) : secretNameProblem(name);
    if (problem) return setState({ state: 'bad', message: i18n.t('common.nameProblem', [problem]) });
    setState({ state: 'checking' });
  }, [name, original, kind]);
  useEffect(() => {
    if (settled === '' || settled === original) return;
    const problem = kind === 'credentials' ? credentialsNameProblem(settled) : secretNameProblem(settled);
    if (problem) return;
    let live = true;
    const check = kind === 'credentials' ? latchkey.validateCredentialsName(workspaceId, settled) : latchkey.validateSecretName(workspaceId, settled);
    check.then((r) => {
      if (!live) return;
      setState(r.ok ? { state: 'ok' } : { state: 'bad', message: r.message });
    });
    return () => {
      live = false;
    };
  }, [settled, workspaceId, original, kind]);
  return state;
}
