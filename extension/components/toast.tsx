/**
 * One feedback mechanism for the popup: a toast fixed at the bottom of the view, announced to screen readers (a
 * polite live region for news, an alert for failures), so feedback is seen wherever the list is scrolled. Failures
 * read in plain language; the server's own words sit behind a Details toggle.
 */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { i18n } from '#i18n';

export interface ToastMessage {
  kind: 'success' | 'error' | 'info';
  text: string;
  /** The raw detail (the server's message, a status), shown on request. */
  details?: string;
}

const ToastContext = createContext<(m: ToastMessage | null) => void>(() => undefined);

export const useToast = () => useContext(ToastContext);

const SUCCESS_MS = 5000;

export function ToastProvider({ children }: { children: ComponentChildren }) {
  const [message, setMessage] = useState<(ToastMessage & { key: number }) | null>(null);
  const [open, setOpen] = useState(false);
  const counter = useRef(0);
  const show = useCallback((m: ToastMessage | null) => {
    setOpen(false);
    setMessage(m ? { ...m, key: ++counter.current } : null);
  }, []);
  useEffect(() => {
    if (!message || message.kind === 'error') return;
    const t = setTimeout(() => setMessage((cur) => (cur?.key === message.key ? null : cur)), SUCCESS_MS);
    return () => clearTimeout(t);
  }, [message]);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {/* Both live regions exist from the start, so what is put in them is announced. */}
      <div class="toast-area">
        <div role="status" aria-live="polite" class="toast-slot">
          {message && message.kind !== 'error' ? <ToastBody message={message} open={open} setOpen={setOpen} onClose={() => show(null)} /> : null}
        </div>
        <div role="alert" class="toast-slot">
          {message && message.kind === 'error' ? <ToastBody message={message} open={open} setOpen={setOpen} onClose={() => show(null)} /> : null}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

function ToastBody({ message, open, setOpen, onClose }: { message: ToastMessage; open: boolean; setOpen: (o: boolean) => void; onClose: () => void }) {
  return (
    <div class={`toast ${message.kind}`}>
      <div class="toast-row">
        <span class="toast-text">{message.text}</span>
        {message.details ? (
          <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {i18n.t('common.details')}
          </button>
        ) : null}
        <button type="button" class="link" aria-label={i18n.t('common.dismiss')} onClick={onClose}>
          ✕
        </button>
      </div>
      {open && message.details ? <p class="toast-details">{message.details}</p> : null}
    </div>
  );
}
