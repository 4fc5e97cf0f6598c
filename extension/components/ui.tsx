import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';

let nextId = 0;
const useId = (prefix: string) => useRef(`${prefix}-${++nextId}`).current;

interface FieldProps {
  label: string;
  error?: string;
  hint?: ComponentChildren;
  ok?: string;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}

/** A labelled control with its error (named by the worker or the local schema) or hint under it. */
export function Field({ label, error, hint, ok, children }: FieldProps) {
  const id = useId('f');
  const noteId = `${id}-note`;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      {children(id, error || hint || ok ? noteId : undefined)}
      {error ? (
        <p class="error" id={noteId} role="alert">
          {error}
        </p>
      ) : ok ? (
        <p class="ok" id={noteId}>
          {ok}
        </p>
      ) : hint ? (
        <p class="hint" id={noteId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Banner({ kind, children, onRetry }: { kind: 'error' | 'info' | 'success'; children: ComponentChildren; onRetry?: () => void }) {
  return (
    <div class={`banner ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span>{children}</span>
      {onRetry ? (
        <button type="button" class="link" onClick={onRetry}>
          {i18n.t('common.retry')}
        </button>
      ) : null}
    </div>
  );
}

/** Delete with confirmation: the first press asks, the second does it; Escape or Cancel backs out. */
export function ConfirmDelete({ what, onConfirm }: { what: string; onConfirm: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking)
    return (
      <button type="button" class="small danger-outline" aria-label={i18n.t('common.deleteLabel', [what])} onClick={() => setAsking(true)}>
        {i18n.t('common.delete')}
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label={i18n.t('common.confirmDeleteLabel', [what])} onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <span>{i18n.t('common.confirmDelete', [what])}</span>
      <button
        type="button"
        class="small danger"
        disabled={busy}
        ref={(el) => el?.focus()}
        onClick={async () => {
          setBusy(true);
          await onConfirm();
          setBusy(false);
          setAsking(false);
        }}
      >
        {busy ? i18n.t('common.deleting') : i18n.t('common.yesDelete')}
      </button>
      <button type="button" class="small" onClick={() => setAsking(false)}>
        {i18n.t('common.cancel')}
      </button>
    </span>
  );
}

export function CopyButton({ text, label = i18n.t('common.copy') }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="small"
      onClick={async () => {
        await navigator.clipboard.writeText(text);
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? i18n.t('common.copied') : label}
    </button>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** Focuses the element `selector` names once it is rendered (after a list reloads, for instance). */
export function focusLater(selector: string, tries = 20) {
  const el = document.querySelector<HTMLElement>(selector);
  if (el) return el.focus();
  if (tries > 0) setTimeout(() => focusLater(selector, tries - 1), 25);
}

/** Focuses the first invalid control of a form, else its first control. */
export function focusFirst(form: HTMLElement | null, invalidOnly = false) {
  const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (invalid) return invalid.focus();
  if (!invalidOnly) form?.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea')?.focus();
}

/**
 * A secret value: masked like a password (multi-line values in a masked text area), with a Show toggle, and a
 * warning when it starts or ends with white space or a newline, which pasted tokens often do by mistake.
 */
export function SecretInput({ id, describedBy, value, multiline, placeholder, invalid, onInput }: {
  id: string; describedBy: string | undefined; value: string; multiline?: boolean; placeholder?: string; invalid?: boolean; onInput: (v: string) => void;
}) {
  const [shown, setShown] = useState(false);
  const common = { id, value, placeholder, spellcheck: false, autoComplete: 'new-password', 'aria-invalid': invalid ?? false, 'aria-describedby': [describedBy, value !== value.trim() ? `${id}-ws` : undefined].filter(Boolean).join(' ') || undefined };
  return (
    <div class="secret-input">
      <div class="with-action">
        {multiline ? (
          <textarea {...common} rows={4} class={`secret${shown ? '' : ' masked'}`} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
        ) : (
          <input {...common} type={(shown ? 'text' : 'password') as 'text'} class="mono" onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
        )}
        <button type="button" class="small" aria-pressed={shown} aria-controls={id} onClick={() => setShown(!shown)}>
          {shown ? i18n.t('common.hide') : i18n.t('common.show')}
        </button>
      </div>
      {value !== '' && value !== value.trim() ? (
        <p class="warn" id={`${id}-ws`}>
          {/\n$/.test(value) ? i18n.t('common.endsWithNewline') : /^\s/.test(value) ? i18n.t('common.startsWithSpace') : i18n.t('common.endsWithSpace')}
        </p>
      ) : null}
    </div>
  );
}

/** A value that follows `value` after it has been still for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** A form's submit and cancel buttons. */
export function FormActions({ busy, label, onCancel }: { busy: boolean; label: string; onCancel: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary" disabled={busy}>
        {busy ? i18n.t('common.saving') : label}
      </button>
      <button type="button" onClick={onCancel}>
        {i18n.t('common.cancel')}
      </button>
    </div>
  );
}
