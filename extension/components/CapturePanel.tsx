import { useEffect, useState } from 'preact/hooks';
import type { Workspace } from '../../shared/api';
import { suggestCredentialsName } from '../../shared/name-rules';
import { normalizeRegistry } from '../../shared/registry';
import type { Failure } from '../lib/api';
import { latchkey } from '../lib/service';

export interface CaptureDetails {
  workspaceId: string | null;
  name: string;
  userName: string;
  registry: string;
  skipRegistryCheck: boolean;
}

interface Props {
  site: string;
  masked: string;
  registry: string;
  registryEditable?: boolean;
  userName: string | null;
  nameBase: string;
  /** Sends the held token with these details; the token itself never enters this component. */
  save: (details: CaptureDetails) => Promise<{ ok: true } | Failure>;
  onClose: () => void;
}

/** The capture panel: offers to save a token the site just showed, and does nothing until Save is clicked. */
export function CapturePanel({ site, masked, registry: initialRegistry, registryEditable, userName: initialUser, nameBase, save, onClose }: Props) {
  const [workspaces, setWorkspaces] = useState<Workspace[] | null>(null);
  const [wsId, setWsId] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [userName, setUserName] = useState(initialUser ?? '');
  const [registry, setRegistry] = useState(initialRegistry);
  const [state, setState] = useState<{ kind: 'idle' | 'saving' } | { kind: 'saved'; name: string } | { kind: 'error'; message: string; unreachable: boolean }>({ kind: 'idle' });

  useEffect(() => {
    void latchkey.workspaces().then((r) => {
      if (!r.ok) return setState({ kind: 'error', message: r.message, unreachable: false });
      setWorkspaces(r.data.workspaces);
      setWsId(r.data.workspaces[0]?.id ?? '');
    });
  }, []);
  const workspace = workspaces?.find((w) => w.id === wsId);
  useEffect(() => {
    if (!workspace) return;
    void latchkey.listCredentials(workspace.kind === 'personal' ? null : workspace.id).then((r) => {
      // A suggestion never replaces what the user typed.
      if (r.ok && !nameTouched) setName(suggestCredentialsName(nameBase, r.data.credentials.map((c) => c.name)));
    });
  }, [workspace?.id]);

  async function submit(skipRegistryCheck: boolean) {
    if (!workspace) return;
    setState({ kind: 'saving' });
    const host = normalizeRegistry(registry) ?? registry;
    const res = await save({ workspaceId: workspace.kind === 'personal' ? null : workspace.id, name: name.trim(), userName: userName.trim(), registry: host, skipRegistryCheck });
    setState(res.ok ? { kind: 'saved', name: name.trim() } : { kind: 'error', message: res.message, unreachable: res.status === 502 });
  }

  if (state.kind === 'saved')
    return (
      <div class="lk-panel" role="status">
        <p class="lk-title">Saved to Latchkey ✓</p>
        <p>
          “{state.name}” is stored{registry ? ` for ${normalizeRegistry(registry) ?? registry}` : ''}; the token was dropped from this page.
        </p>
        <button type="button" onClick={onClose}>Close</button>
      </div>
    );
  return (
    <form class="lk-panel" aria-label="Save this token to Latchkey" onSubmit={(e) => { e.preventDefault(); void submit(false); }}>
      <p class="lk-title">Save this {site} token to Latchkey?</p>
      <p class="lk-token">{masked}</p>
      <label>
        Workspace
        <select name="workspace" value={wsId} onChange={(e) => setWsId((e.target as HTMLSelectElement).value)} disabled={!workspaces}>
          {(workspaces ?? []).map((w) => (
            <option key={w.id} value={w.id}>{w.kind === 'personal' ? 'Personal' : `${w.orgName} / ${w.name}`}</option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input name="name" value={name} onInput={(e) => { setNameTouched(true); setName((e.target as HTMLInputElement).value); }} spellcheck={false} />
      </label>
      <label>
        User name
        <input name="userName" value={userName} onInput={(e) => setUserName((e.target as HTMLInputElement).value)} spellcheck={false} />
      </label>
      {registryEditable ? (
        <label>
          Registry
          <input name="registry" value={registry} onInput={(e) => setRegistry((e.target as HTMLInputElement).value)} spellcheck={false} />
        </label>
      ) : (
        <p class="lk-muted">Registry: {registry}</p>
      )}
      {state.kind === 'error' ? <p class="lk-error" role="alert">{state.message}</p> : null}
      <div class="lk-actions">
        <button type="submit" class="lk-primary" disabled={state.kind === 'saving' || !workspace || !name || !userName}>
          {state.kind === 'saving' ? 'Checking and saving…' : 'Save'}
        </button>
        {state.kind === 'error' && state.unreachable ? (
          <button type="button" onClick={() => void submit(true)}>Save without checking</button>
        ) : null}
        <button type="button" onClick={onClose}>Dismiss</button>
      </div>
    </form>
  );
}
