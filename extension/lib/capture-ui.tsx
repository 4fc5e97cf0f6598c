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
import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { CapturePanel } from '../components/CapturePanel';
import { type Captured, maskToken } from './capture';
import { captureChannel } from './capture-client';
import { i18n } from '#i18n';

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
      if (!e.isTrusted) return i18n.t('capture.guard.untrusted');
      const newer = [...topLayerNow()].some((el) => el !== host && !baseline.has(el));
      if (newer || !host.matches(':popover-open')) {
        raise();
        return i18n.t('capture.guard.covered');
      }
      if (!visible) return i18n.t('capture.guard.hidden');
      if (performance.now() - armedAt < ARM_DELAY_MS) return i18n.t('capture.guard.tooSoon');
      const keyboard = e.detail === 0 && e.clientX === 0 && e.clientY === 0;
      if (!keyboard) {
        const at = shadow.elementFromPoint(e.clientX, e.clientY);
        if (!at || !(e.currentTarget as Element).contains(at)) return i18n.t('capture.guard.missed');
      }
      return null;
    },
    stop() {
      io?.disconnect();
      ro.disconnect();
    },
  };
}

export async function watchForTokens(ctx: ContentScriptContext, site: string, find: (doc: Document, url: URL) => Captured | null) {
  let held: Captured | null = null;
  let ui: Awaited<ReturnType<typeof createShadowRootUi<{ watch: ReturnType<typeof panelWatch>; container: HTMLElement }>>> | null = null;
  let host: HTMLElement | null = null;
  const dismissed = new Set<string>(); // tokens the user dismissed or saved, in memory for this page only

  const close = () => {
    if (held) dismissed.add(held.token);
    held = null;
    ui?.remove();
    ui = null;
  };

  async function offer(found: Captured) {
    held = found;
    ui?.remove();
    ui = await createShadowRootUi(ctx, {
      name: 'latchkey-capture',
      position: 'inline',
      anchor: 'body',
      append: 'last',
      mode: 'closed',
      isolateEvents: true,
      onMount: (container, shadow, shadowHost) => {
        host = shadowHost;
        const watch = panelWatch(shadowHost, shadow);
        render(
          <CapturePanel
            site={site}
            masked={maskToken(found.token)}
            registry={found.registry}
            userName={found.userName}
            expiresAt={found.expiresAt}
            targets={() => captureChannel.targets(found.nameBase)}
            guard={watch.guard}
            panelRef={watch.track}
            onClose={close}
            save={async (d) => {
              if (!held) return { ok: false, status: 0, message: i18n.t('capture.notHeld') };
              const res = await captureChannel.save({
                workspaceId: d.workspaceId, name: d.name, userName: d.userName, token: held.token, skipRegistryCheck: d.skipRegistryCheck,
                ...(found.expiresAt ? { expiresAt: found.expiresAt } : {}),
              });
              if (!res.ok) return res;
              dismissed.add(held.token);
              held = null; // saved: drop the token from memory
              return { ok: true };
            }}
          />,
          container,
        );
        return { watch, container };
      },
      onRemove: (mounted) => {
        mounted?.watch.stop();
        if (mounted) render(null, mounted.container);
      },
    });
    ui.mount();
  }
  // Escape dismisses the panel when the focus is in it (the event is retargeted to its host) or on nothing in
  // particular; an Escape meant for the page's own dialog is left to the page. Capture phase: the shadow root
  // isolates key events, and the page cannot stop it first from inside the panel.
  ctx.addEventListener(
    window,
    'keydown',
    (e) => {
      const active = document.activeElement;
      if (ui && e.key === 'Escape' && e.isTrusted && (e.target === host || !active || active === document.body || active === host)) close();
      // Alt+Shift+L reaches the panel from anywhere on the page: its first field takes the focus.
      if (ui && e.isTrusted && e.altKey && e.shiftKey && e.code === 'KeyL' && ui.mounted) {
        e.preventDefault();
        ui.mounted.container.querySelector<HTMLElement>('select, input, button')?.focus();
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
      void offer(found);
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
