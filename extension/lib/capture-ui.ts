/**
 * Shared by the Docker Hub and Quay content scripts: watch the page (also across single-page navigation), and when
 * the site's token dialog shows a token, offer the capture panel in a closed shadow root. The token stays in this
 * isolated world's memory, goes to the background only on Save, and is dropped once saved or dismissed.
 *
 * The page is not trusted, so Save acts only on a click that is provably the user's, on the real panel, seen as it is
 * (see `guard`):
 * - the panel lives in the top layer (`popover="manual"` + showPopover()), so ordinary page elements, whatever their
 *   z-index, paint below it; a look-alike laid over it with `pointer-events: none` must itself enter the top layer
 *   after the panel, which the guard notices (any top-layer element opened after the panel refuses the click and
 *   raises the panel again);
 * - where the browser has IntersectionObserver v2 (Chrome), `trackVisibility` reports whether the panel is unoccluded
 *   and untransformed at full opacity; Save is refused while it is not (this also catches covers the top-layer check
 *   cannot see, such as a popover inside the page's own shadow roots). Firefox lacks it and relies on the top layer;
 * - the click must be trusted (`isTrusted`), land on Save itself (the element at the click point, inside our closed
 *   shadow root), and come at least 500 ms after the panel appeared, was raised again, resized or became visible;
 *   a trusted Enter/Space on the focused Save (or Enter in a field) is a keyboard click and skips the point check;
 * - the shadow root's `:host { all: initial !important }` reset wins over any page style on the host, even inline
 *   `!important` (important declarations of the inner context win), so the page cannot make the panel transparent.
 * Escape dismisses the panel.
 */
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import css from '../assets/capture-panel.css?inline';
import { type Captured, maskToken } from './capture';
import { captureChannel } from './capture-client';
import { capturePanel } from './capture-panel';
import { t } from './t';

/** How long after the panel appears or changes a click is still taken as aimed at something else. */
export const ARM_DELAY_MS = 500;
const TOP_LAYER = ':popover-open, :modal, :fullscreen';

function topLayerNow(): Set<Element> {
  try {
    return new Set(document.querySelectorAll(TOP_LAYER));
  } catch {
    return new Set(document.querySelectorAll(':popover-open'));
  }
}
const hasVisibilityTracking = typeof IntersectionObserverEntry !== 'undefined' && 'isVisible' in IntersectionObserverEntry.prototype;

/** Watches one mounted panel: top layer, visibility, and when it last appeared or changed. */
function panelWatch(host: HTMLElement, shadow: ShadowRoot) {
  let armedAt = Number.POSITIVE_INFINITY;
  let baseline = new Set<Element>();
  let visible = !hasVisibilityTracking;
  let observed: Element | null = null;
  const rearm = () => void (armedAt = performance.now());
  const io = hasVisibilityTracking
    ? new IntersectionObserver(
        (entries) => {
          const last = entries.at(-1) as (IntersectionObserverEntry & { isVisible?: boolean }) | undefined;
          if (!last) return;
          const now = last.isVisible === true && last.intersectionRatio >= 0.99;
          if (now && !visible) rearm();
          visible = now;
        },
        { threshold: [0, 1], trackVisibility: true, delay: 100 } as IntersectionObserverInit,
      )
    : null;
  const ro = new ResizeObserver(rearm);

  function raise() {
    if (host.matches(':popover-open')) host.hidePopover();
    host.showPopover();
    baseline = topLayerNow();
    rearm();
  }
  host.popover = 'manual';
  // The page may close our popover; put it back (and restart the clock).
  host.addEventListener('toggle', (e) => {
    if ((e as ToggleEvent).newState === 'closed') queueMicrotask(() => host.isConnected && !host.matches(':popover-open') && raise());
  });
  raise();

  return {
    track(el: HTMLElement | null) {
      if (el === observed) return;
      if (observed) {
        io?.unobserve(observed);
        ro.unobserve(observed);
      }
      observed = el;
      visible = !hasVisibilityTracking;
      if (el) {
        io?.observe(el);
        ro.observe(el);
      }
      rearm();
    },
    guard(e: MouseEvent): string | null {
      if (!e.isTrusted) return t('capture.guard.untrusted');
      const newer = [...topLayerNow()].some((el) => el !== host && !baseline.has(el));
      if (newer || !host.matches(':popover-open')) {
        raise();
        return t('capture.guard.covered');
      }
      if (!visible) return t('capture.guard.hidden');
      if (performance.now() - armedAt < ARM_DELAY_MS) return t('capture.guard.tooSoon');
      const keyboard = e.detail === 0 && e.clientX === 0 && e.clientY === 0;
      if (!keyboard) {
        const at = shadow.elementFromPoint(e.clientX, e.clientY);
        if (!at || !(e.currentTarget as Element).contains(at)) return t('capture.guard.missed');
      }
      return null;
    },
    stop() {
      io?.disconnect();
      ro.disconnect();
    },
  };
}

/** The panel's host: a closed shadow root, its styles reset against the page's, key events kept from the page. */
function isolatedHost() {
  const host = document.createElement('latchkey-capture');
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = document.createElement('style');
  style.textContent = `:host{all:initial !important;}\n${css}`;
  const container = document.createElement('div');
  shadow.append(style, container);
  for (const type of ['keydown', 'keyup', 'keypress']) shadow.addEventListener(type, (e) => e.stopPropagation());
  return { host, shadow, container };
}

export function watchForTokens(ctx: ContentScriptContext, site: string, find: (doc: Document, url: URL) => Captured | null) {
  let held: Captured | null = null;
  let ui: { host: HTMLElement; container: HTMLElement; remove: () => void } | null = null;
  const dismissed = new Set<string>(); // tokens the user dismissed or saved, in memory for this page only

  const close = () => {
    if (held) dismissed.add(held.token);
    held = null;
    ui?.remove();
    ui = null;
  };

  function offer(found: Captured) {
    held = found;
    ui?.remove();
    const { host, shadow, container } = isolatedHost();
    document.body.append(host);
    const watch = panelWatch(host, shadow);
    const panel = capturePanel(container, {
      site,
      masked: maskToken(found.token),
      registry: found.registry,
      userName: found.userName,
      ...(found.expiresAt ? { expiresAt: found.expiresAt } : {}),
      targets: () => captureChannel.targets(found.nameBase),
      guard: watch.guard,
      panelRef: watch.track,
      onClose: close,
      save: async (d) => {
        if (!held) return { ok: false, status: 0, message: t('capture.notHeld') };
        const res = await captureChannel.save({
          workspaceId: d.workspaceId, name: d.name, userName: d.userName, token: held.token, skipRegistryCheck: d.skipRegistryCheck,
          ...(found.expiresAt ? { expiresAt: found.expiresAt } : {}),
        });
        if (!res.ok) return res;
        dismissed.add(held.token);
        held = null; // saved: drop the token from memory
        return { ok: true };
      },
    });
    ui = {
      host,
      container,
      remove: () => {
        watch.stop();
        panel.destroy();
        host.remove();
      },
    };
  }
  // Escape dismisses the panel when the focus is in it (the event is retargeted to its host) or on nothing in
  // particular; an Escape meant for the page's own dialog is left to the page. Capture phase: the shadow root
  // isolates key events, and the page cannot stop it first from inside the panel.
  ctx.addEventListener(
    window,
    'keydown',
    (e) => {
      const active = document.activeElement;
      const host = ui?.host;
      if (ui && e.key === 'Escape' && e.isTrusted && (e.target === host || !active || active === document.body || active === host)) close();
      // Alt+Shift+L reaches the panel from anywhere on the page: its first field takes the focus.
      if (ui && e.isTrusted && e.altKey && e.shiftKey && e.code === 'KeyL') {
        e.preventDefault();
        ui.container.querySelector<HTMLElement>('select, input, button')?.focus();
      }
    },
    { capture: true },
  );

  let timer: ReturnType<typeof setTimeout> | undefined;
  const scan = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const found = find(document, new URL(location.href));
      if (!found || dismissed.has(found.token) || found.token === held?.token) return;
      offer(found);
    }, 150);
  };
  const observer = new MutationObserver((records) => {
    // Our own panel's changes are not the page's.
    if (records.every((r) => (r.target as Element).tagName?.toLowerCase() === 'latchkey-capture')) return;
    scan();
  });
  observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  ctx.onInvalidated(() => {
    observer.disconnect();
    close();
  });
  ctx.addEventListener(window, 'wxt:locationchange', scan);
  scan();
}
