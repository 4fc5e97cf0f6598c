/**
 * Shared by the Docker Hub and Quay content scripts: watch the page (also across single-page navigation), and when
 * a token is shown, offer the capture panel in a closed shadow root. The token stays in this isolated world's
 * memory, goes to the background only on Save, and is dropped once saved or dismissed.
 */
import { render } from 'preact';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import { CapturePanel } from '../components/CapturePanel';
import { type Captured, maskToken } from './capture';
import { latchkey } from './service';

export async function watchForTokens(ctx: ContentScriptContext, site: string, find: (doc: Document) => Captured | null) {
  let held: Captured | null = null;
  let ui: Awaited<ReturnType<typeof createShadowRootUi<void>>> | null = null;
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
    ui = await createShadowRootUi<void>(ctx, {
      name: 'latchkey-capture',
      position: 'inline',
      anchor: 'body',
      append: 'last',
      mode: 'closed',
      isolateEvents: true,
      onMount: (container) => {
        render(
          <CapturePanel
            site={site}
            masked={maskToken(found.token)}
            registry={found.registry}
            userName={found.userName}
            nameBase={found.nameBase}
            onClose={close}
            save={async (d) => {
              if (!held) return { ok: false, status: 0, message: 'The token is no longer held; show it on the page again.' };
              const res = await latchkey.createCredentials(
                d.workspaceId,
                { credentials: { name: d.name, provider: 'container-reg', keys: { userName: d.userName, password: held.token, registry: d.registry } } },
                d.skipRegistryCheck,
              );
              if (!res.ok) return res;
              dismissed.add(held.token);
              held = null; // saved: drop the token from memory
              return { ok: true };
            }}
          />,
          container,
        );
      },
      onRemove: (container) => container && render(null, container),
    });
    ui.mount();
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const scan = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const found = find(document);
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
