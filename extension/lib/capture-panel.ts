/**
 * The capture panel: offers to save a token the site just showed, and does nothing until Save is clicked. Built with
 * plain DOM (no framework) so the content scripts that draw it stay a few kB; the context-menu capture page uses the
 * same panel. The token itself never enters it: it shows the masked form and hands the chosen details to `save`.
 */
import type { Failure, Result } from './api';
import type { CaptureSave, CaptureTarget } from './capture-targets';
import { t } from './t';

export interface CaptureDetails extends CaptureSave {
  /** Only used where the registry is editable (capture page); content scripts' registry comes from the site. */
  registry: string;
}

export interface CapturePanelOptions {
  site: string;
  masked: string;
  registry: string;
  /** The capture page lets the user say which registry; it passes how to normalise what they type. */
  registryEditable?: (typed: string) => string | null;
  userName: string | null;
  /** When the site says the token expires (YYYY-MM-DD); saved with it. */
  expiresAt?: string;
  /** Where the token may be saved, each with a suggested free name. */
  targets: () => Promise<Result<CaptureTarget[]>>;
  /** Sends the held token with these details. */
  save: (details: CaptureDetails) => Promise<{ ok: true } | Failure>;
  /**
   * Checks a click on Save before anything is sent (content scripts: trusted, on the panel, visible, not too soon);
   * returns why it is refused, or null.
   */
  guard?: (e: MouseEvent) => string | null;
  /** Receives the panel's element each time it is replaced, for visibility tracking. */
  panelRef?: (el: HTMLElement | null) => void;
  onClose: () => void;
}

type Child = Node | string | null | false | undefined;

/** One element: attributes (`on…` functions become listeners, booleans toggle) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, unknown> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v != null) el.setAttribute(k, String(v));
  }
  el.append(...(children.filter((c) => c != null && c !== false) as Array<Node | string>));
  return el;
}

/** Draws the panel into `root`; returns how to take it down. */
export function capturePanel(root: Node, o: CapturePanelOptions): { destroy: () => void } {
  let targets: CaptureTarget[] | null = null;
  let nameTouched = false;
  let saving = false;
  let live = true;

  const field = (label: string, input: HTMLInputElement | HTMLSelectElement) => h('label', {}, label, input);
  const input = (name: string, value: string) => Object.assign(h('input', { name, spellcheck: 'false' }), { value });
  const select = h('select', { name: 'workspace', disabled: true, onchange: () => suggest() });
  const name = input('name', '');
  const userName = input('userName', o.userName ?? '');
  const registry = o.registryEditable ? input('registry', o.registry) : null;
  const save = h('button', { type: 'submit', class: 'lk-primary', onclick: onSave(false) });
  const unchecked = h('button', { type: 'button', onclick: onSave(true) }, t('capture.saveUnchecked'));
  const error = h('p', { class: 'lk-error', role: 'alert' });
  const actions = h('div', { class: 'lk-actions' }, save, h('button', { type: 'button', onclick: o.onClose }, t('capture.dismiss')));
  name.addEventListener('input', () => ((nameTouched = true), update()));
  userName.addEventListener('input', update);

  const form = h(
    'form',
    { class: 'lk-panel', 'aria-label': t('capture.formLabel'), onsubmit: (e: Event) => e.preventDefault() },
    h('p', { class: 'lk-title' }, t('capture.title', [o.site])),
    h('p', { class: 'lk-token' }, o.masked),
    o.expiresAt ? h('p', { class: 'lk-muted' }, t('capture.expiresOn', [o.expiresAt])) : null,
    h('p', { class: 'lk-muted lk-hint' }, t('capture.keyHint')),
    field(t('capture.workspace'), select),
    field(t('capture.name'), name),
    field(t('capture.userName'), userName),
    registry ? field(t('capture.registry'), registry) : h('p', { class: 'lk-muted' }, t('capture.registryIs', [o.registry])),
    actions,
  );
  let panel: HTMLElement = form;
  root.appendChild(form);
  o.panelRef?.(form);

  const target = () => targets?.find((w) => w.id === select.value);
  /** A suggestion never replaces what the user typed. */
  function suggest() {
    const chosen = target();
    if (chosen && !nameTouched) name.value = chosen.suggestedName;
    update();
  }
  function update() {
    save.disabled = saving || !target() || !name.value || !userName.value;
    save.textContent = saving ? t('capture.checkingSaving') : t('capture.save');
  }
  function fail(message: string, isUnreachable = false) {
    error.textContent = message;
    if (!error.isConnected) form.insertBefore(error, actions);
    if (isUnreachable) save.after(unchecked);
    else unchecked.remove();
  }
  update();

  void o.targets().then((r) => {
    if (!live) return;
    if (!r.ok) return fail(r.message);
    targets = r.data;
    select.append(...r.data.map((w) => h('option', { value: w.id, title: w.label }, w.label)));
    select.disabled = false;
    suggest();
  });

  async function submit(skipRegistryCheck: boolean) {
    const chosen = target();
    if (!chosen) return;
    saving = true;
    error.remove();
    unchecked.remove();
    update();
    const typed = registry ? registry.value : o.registry;
    const host = o.registryEditable?.(typed) ?? typed;
    const res = await o.save({ workspaceId: chosen.id, name: name.value.trim(), userName: userName.value.trim(), registry: host, skipRegistryCheck });
    saving = false;
    if (!live) return;
    if (!res.ok) return (update(), fail(res.message, res.status === 502));
    const saved = name.value.trim();
    const done = h(
      'div',
      { class: 'lk-panel', role: 'status' },
      h('p', { class: 'lk-title' }, t('capture.savedTitle')),
      h('p', {}, host ? t('capture.savedFor', [saved, host]) : t('capture.saved', [saved])),
      h('button', { type: 'button', onclick: o.onClose }, t('capture.close')),
    );
    o.panelRef?.(null);
    form.replaceWith(done);
    panel = done;
    o.panelRef?.(done);
  }
  /** Save buttons act only on a click the guard accepts (Enter in a field is a click on Save, checked the same way). */
  function onSave(skipRegistryCheck: boolean) {
    return (e: MouseEvent) => {
      e.preventDefault();
      const refused = o.guard?.(e) ?? null;
      if (refused) return fail(refused);
      void submit(skipRegistryCheck);
    };
  }

  return {
    destroy() {
      live = false;
      o.panelRef?.(null);
      panel.remove();
    },
  };
}
