/**
 * The compact, scannable list both tabs use: one row per record (name truncated with its full text as a tooltip, a
 * second muted line for the description or dates), a filter, case-insensitive order, and a copy menu per row. Only
 * the rows in view (and a few either side) are rendered: a list of thousands costs what a screenful does.
 */
import type { ComponentChildren, VNode } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { clearDraft } from '../lib/drafts';
import { intl } from '../lib/format';
import { useToast } from './toast';
import { focusLater } from './ui';
import { i18n } from '#i18n';

/** Case- and accent-insensitive order by name, as people read a list ("aws" beside "AWS-prod"). */
export const byName = <T extends { name: string }>(a: T, b: T) =>
  intl('names', () => new Intl.Collator(undefined, { sensitivity: 'base', numeric: true })).compare(a.name, b.name);

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
  /** The row's place in the whole list (1-based) and the list's length, for assistive technology. */
  pos: [index: number, total: number];
  name: string;
  sub: ComponentChildren;
  badge?: ComponentChildren;
  mono?: boolean;
  data: Record<string, string>;
  children?: ComponentChildren;
}

export function Row({ pos, name, sub, badge, mono, data, children }: RowProps) {
  return (
    <li class="row" aria-posinset={pos[0]} aria-setsize={pos[1]} data-index={pos[0] - 1} {...data}>
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

type Forms = typeof import('../lib/forms');
let formsLoaded: Forms | null = null;
let formsLoading: Promise<Forms> | null = null;
/** Loads the forms chunk (once); the popup calls it when the list has painted, so a form opens at once. */
export const loadForms = (): Promise<Forms> => (formsLoading ??= import('../lib/forms').then((m) => (formsLoaded = m)));

/** The forms module, loading it when `needed` (a form is open before it arrived: a restored draft, a quick click). */
export function useForms(needed: boolean): Forms | null {
  const [forms, setForms] = useState(formsLoaded);
  useEffect(() => {
    if (needed && !forms) void loadForms().then(setForms);
  }, [needed]);
  return forms ?? formsLoaded;
}

/** A row's height before one is measured (CSS .row: two lines of text, padding and border; at least 40 px). */
const ROW_PX = 43;
/** Rows rendered beyond each edge of the view, so scrolling and Tab always find the next row already there. */
const OVERSCAN = 8;

function scrollParent(el: HTMLElement): HTMLElement | null {
  for (let p = el.parentElement; p; p = p.parentElement) if (/auto|scroll/.test(getComputedStyle(p).overflowY)) return p;
  return null;
}

/**
 * A list that renders only the rows in view, between two spacers (the list's top and bottom padding) that keep the
 * scroll height of the whole list. The row holding the focus is always kept, so scrolling away never drops it; each
 * row says its position and the list's size (aria-posinset/-setsize), so the list reads as complete.
 */
export function WindowedList<T>({ items, row }: { items: T[]; row: (item: T, index: number) => VNode }) {
  const list = useRef<HTMLUListElement>(null);
  const focused = useRef<number | null>(null);
  const [rowPx, setRowPx] = useState(ROW_PX);
  const [view, setView] = useState<[number, number]>([0, Math.ceil(600 / ROW_PX)]);
  /**
   * The first paint has only the rows in view (by estimate), laid out with the rest of the page when it paints:
   * measuring them first would force that layout before the page is shown. Once it is on screen the rows are
   * measured; the ones beyond the view's edges follow as soon as the person does anything (a key, the pointer, the
   * wheel, a focus change: before a Tab moves focus) or a quarter of a second later, when the page is idle.
   */
  const [overscanned, setOverscanned] = useState(false);
  const n = items.length;

  function measure() {
    const ul = list.current;
    if (!ul) return;
    const first = ul.firstElementChild as HTMLElement | null;
    const h = first?.nextElementSibling ? (first.nextElementSibling as HTMLElement).offsetHeight : rowPx;
    const px = h > 0 ? h : rowPx;
    if (Math.abs(px - rowPx) > 0.5) setRowPx(px);
    const scroller = scrollParent(ul);
    const top = scroller ? Math.max(0, scroller.getBoundingClientRect().top) : 0;
    const bottom = scroller ? Math.min(innerHeight, scroller.getBoundingClientRect().bottom) : innerHeight;
    const listTop = ul.getBoundingClientRect().top + ul.clientTop; // where row 0 is (or would be), above the top spacer
    const from = Math.max(0, Math.floor((top - listTop) / px));
    const to = Math.max(from + 1, Math.ceil((bottom - listTop) / px));
    setView((v) => (v[0] === from && v[1] === to ? v : [from, to]));
  }
  useLayoutEffect(() => void (overscanned && measure()), [n]);
  useEffect(() => {
    measure();
    const more = () => setOverscanned(true);
    const events = ['keydown', 'pointerdown', 'wheel', 'focusin'] as const;
    for (const e of events) addEventListener(e, more, { capture: true, once: true, passive: true });
    let idle = 0;
    const later = setTimeout(() => (idle = requestIdleCallback(more, { timeout: 250 })), 250);
    return () => {
      clearTimeout(later);
      cancelIdleCallback(idle);
      for (const e of events) removeEventListener(e, more, { capture: true });
    };
  }, []);
  useEffect(() => {
    const onScroll = () => measure();
    document.addEventListener('scroll', onScroll, { capture: true, passive: true });
    addEventListener('resize', onScroll);
    return () => {
      document.removeEventListener('scroll', onScroll, { capture: true });
      removeEventListener('resize', onScroll);
    };
  }, [rowPx]);

  const overscan = overscanned ? OVERSCAN : 0;
  let start = Math.max(0, Math.min(view[0], n) - overscan);
  let end = Math.min(n, view[1] + overscan);
  const f = focused.current;
  if (f !== null && f < n) {
    start = Math.min(start, f);
    end = Math.max(end, f + 1);
  }
  const indexOf = (e: Event) => {
    const li = (e.target as Element).closest?.('li[data-index]');
    return li ? Number(li.getAttribute('data-index')) : null;
  };
  return (
    <ul
      class="list"
      ref={list}
      style={{ paddingTop: `${start * rowPx}px`, paddingBottom: `${(n - end) * rowPx}px` }}
      onFocusIn={(e) => void (focused.current = indexOf(e))}
      onFocusOut={(e) => {
        if (!list.current?.contains(e.relatedTarget as Node | null)) focused.current = null;
      }}
    >
      {items.slice(start, end).map((item, k) => row(item, start + k))}
    </ul>
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
