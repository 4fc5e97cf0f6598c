import { useEffect, useState } from 'preact/hooks';
import { normalizeRegistry } from '../../shared/registry';
import type { Failure, Result } from '../lib/api';
import type { CaptureSave, CaptureTarget } from '../lib/capture-targets';
import { i18n } from '#i18n';

export interface CaptureDetails extends CaptureSave {
  /** Only used where the registry is editable (capture page); content scripts' registry comes from the site. */
  registry: string;
}

interface Props {
  site: string;
  masked: string;
  registry: string;
  registryEditable?: boolean;
  userName: string | null;
  /** When the site says the token expires (YYYY-MM-DD); saved with it. */
  expiresAt?: string;
  /** Where the token may be saved, each with a suggested free name. */
  targets: () => Promise<Result<CaptureTarget[]>>;
  /** Sends the held token with these details; the token itself never enters this component. */
  save: (details: CaptureDetails) => Promise<{ ok: true } | Failure>;
  /**
   * Checks a click on Save before anything is sent (content scripts: trusted, on the panel, visible, not too soon);
   * returns why it is refused, or null.
   */
  guard?: (e: MouseEvent) => string | null;
  /** Receives the panel's element each time it is (re)rendered, for visibility tracking. */
  panelRef?: (el: HTMLElement | null) => void;
  onClose: () => void;
}

/** The capture panel: offers to save a token the site just showed, and does nothing until Save is clicked. */
export function CapturePanel({ site, masked, registry: initialRegistry, registryEditable, userName: initialUser, expiresAt, targets: loadTargets, save, guard, panelRef, onClose }: Props) {
  const [targets, setTargets] = useState<CaptureTarget[] | null>(null);
  const [wsId, setWsId] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [userName, setUserName] = useState(initialUser ?? '');
  const [registry, setRegistry] = useState(initialRegistry);
  const [state, setState] = useState<{ kind: 'idle' | 'saving' } | { kind: 'saved'; name: string } | { kind: 'error'; message: string; unreachable: boolean }>({ kind: 'idle' });

  useEffect(() => {
    void loadTargets().then((r) => {
      if (!r.ok) return setState({ kind: 'error', message: r.message, unreachable: false });
      setTargets(r.data);
      setWsId(r.data[0]?.id ?? '');
    });
  }, []);
  const target = targets?.find((w) => w.id === wsId);
  // A suggestion never replaces what the user typed.
  useEffect(() => {
    if (target && !nameTouched) setName(target.suggestedName);
  }, [target?.id]);

  async function submit(skipRegistryCheck: boolean) {
    if (!target) return;
    setState({ kind: 'saving' });
    const host = normalizeRegistry(registry) ?? registry;
    const res = await save({ workspaceId: target.id, name: name.trim(), userName: userName.trim(), registry: host, skipRegistryCheck });
    setState(res.ok ? { kind: 'saved', name: name.trim() } : { kind: 'error', message: res.message, unreachable: res.status === 502 });
  }
  /** Save buttons act only on a click the guard accepts (Enter in a field is a click on Save, checked the same way). */
  const onSave = (skipRegistryCheck: boolean) => (e: MouseEvent) => {
    e.preventDefault();
    const refused = guard?.(e) ?? null;
    if (refused) return setState({ kind: 'error', message: refused, unreachable: false });
    void submit(skipRegistryCheck);
  };

  if (state.kind === 'saved')
    return (
      <div class="lk-panel" role="status" ref={panelRef}>
        <p class="lk-title">{i18n.t('capture.savedTitle')}</p>
        <p>{registry ? i18n.t('capture.savedFor', [state.name, normalizeRegistry(registry) ?? registry]) : i18n.t('capture.saved', [state.name])}</p>
        <button type="button" onClick={onClose}>{i18n.t('capture.close')}</button>
      </div>
    );
  return (
    <form class="lk-panel" ref={panelRef} aria-label={i18n.t('capture.formLabel')} onSubmit={(e) => e.preventDefault()}>
      <p class="lk-title">{i18n.t('capture.title', [site])}</p>
      <p class="lk-token">{masked}</p>
      {expiresAt ? <p class="lk-muted">{i18n.t('capture.expiresOn', [expiresAt])}</p> : null}
      <p class="lk-muted lk-hint">{i18n.t('capture.keyHint')}</p>
      <label>
        {i18n.t('capture.workspace')}
        <select name="workspace" value={wsId} onChange={(e) => setWsId((e.target as HTMLSelectElement).value)} disabled={!targets}>
          {(targets ?? []).map((w) => (
            <option key={w.id} value={w.id} title={w.label}>{w.label}</option>
          ))}
        </select>
      </label>
      <label>
        {i18n.t('capture.name')}
        <input name="name" value={name} onInput={(e) => { setNameTouched(true); setName((e.target as HTMLInputElement).value); }} spellcheck={false} />
      </label>
      <label>
        {i18n.t('capture.userName')}
        <input name="userName" value={userName} onInput={(e) => setUserName((e.target as HTMLInputElement).value)} spellcheck={false} />
      </label>
      {registryEditable ? (
        <label>
          {i18n.t('capture.registry')}
          <input name="registry" value={registry} onInput={(e) => setRegistry((e.target as HTMLInputElement).value)} spellcheck={false} />
        </label>
      ) : (
        <p class="lk-muted">{i18n.t('capture.registryIs', [registry])}</p>
      )}
      {state.kind === 'error' ? <p class="lk-error" role="alert">{state.message}</p> : null}
      <div class="lk-actions">
        <button type="submit" class="lk-primary" onClick={onSave(false)} disabled={state.kind === 'saving' || !target || !name || !userName}>
          {state.kind === 'saving' ? i18n.t('capture.checkingSaving') : i18n.t('capture.save')}
        </button>
        {state.kind === 'error' && state.unreachable ? (
          <button type="button" onClick={onSave(true)}>{i18n.t('capture.saveUnchecked')}</button>
        ) : null}
        <button type="button" onClick={onClose}>{i18n.t('capture.dismiss')}</button>
      </div>
    </form>
  );
}
