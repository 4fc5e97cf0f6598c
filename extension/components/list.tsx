/**
 * The compact, scannable list both tabs use: one row per record (name truncated with its full text as a tooltip, a
 * second muted line for the description or dates), a filter, case-insensitive order, and a copy menu per row.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { clearDraft } from '../lib/drafts';
import { useToast } from './toast';
import { focusLater } from './ui';
import { i18n } from '#i18n';

/** Case- and accent-insensitive order by name, as people read a list ("aws" beside "AWS-prod"). */
export const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });

export function useFiltered<T extends { name: string }>(items: T[], text: (item: T) => string[]) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const sorted = [...items].sort(byName);
    return f ? sorted.filter((item) => text(item).some((t) => t.toLowerCase().includes(f))) : sorted;
  }, [items, filter]);
  return { filter, setFilter, shown };
}

export function FilterBox({ label, value, onInput }: { label: string; value: string; onInput: (v: string) => void }) {
  return <input type="search" aria-label={label} placeholder={label} value={value} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />;
}

interface RowProps {
  name: string;
  sub: ComponentChildren;
  badge?: ComponentChildren;
  mono?: boolean;
  data: Record<string, string>;
  children?: ComponentChildren;
}

export function Row({ name, sub, badge, mono, data, children }: RowProps) {
  return (
    <li class="row" {...data}>
      <div class="row-text">
        <span class={`name${mono ? ' mono' : ''}`} title={name}>
          {name}
        </span>
        <span class="row-sub">{sub}</span>
      </div>
      {badge}
      <div class="row-actions">{children}</div>
    </li>
  );
}

/** A small menu of things to copy for one row (name, id, a snippet); keyboard reachable, closes after a copy. */
export function CopyMenu({ what, items, onCopied }: { what: string; items: Array<[label: string, text: string]>; onCopied: (label: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="menu" onKeyDown={(e) => e.key === 'Escape' && open && (e.stopPropagation(), setOpen(false))}>
      <button type="button" class="small" aria-haspopup="true" aria-expanded={open} aria-label={i18n.t('common.copyMenuLabel', [what])} onClick={() => setOpen(!open)}>
        {i18n.t('common.copy')}
      </button>
      {open ? (
        <ul class="menu-list">
          {items.map(([label, text]) => (
            <li key={label}>
              <button
                type="button"
                class="menu-item"
                ref={(el) => (label === items[0]![0] ? el?.focus() : undefined)}
                onClick={async () => {
                  await navigator.clipboard.writeText(text);
                  setOpen(false);
                  onCopied(label);
                }}
              >
                {label}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * A list with an add/edit form in its place: which one shows (`mode`), where focus returns when the form closes or a
 * row goes (`setReturnTo`, a selector), and closing the form (its draft dropped; with a message, announced and the
 * list reloaded). Both tabs of the popup use it.
 */
export function useListForm<M extends { kind: string }>(initial: () => M, list: M, reload: () => Promise<void>) {
  const [mode, setMode] = useState<M>(initial);
  const [returnTo, setReturnTo] = useState<string | null>(null);
  const toast = useToast();
  useEffect(() => {
    if (mode.kind === 'list' && returnTo) focusLater(returnTo);
  }, [mode.kind, returnTo]);
  const close = async (message?: string) => {
    await clearDraft();
    setMode(list);
    if (message) {
      toast({ kind: 'success', text: message });
      await reload();
    }
  };
  return { mode, setMode, setReturnTo, close, toast };
}
