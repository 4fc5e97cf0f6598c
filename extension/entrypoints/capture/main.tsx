import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import '../../assets/style.css';
import '../../assets/capture-panel.css';
import { normalizeRegistry } from '../../../shared/registry';
import { KeyIcon } from '../../components/KeyIcon';
import { capturePanel } from '../../lib/capture-panel';
import { captureTargets } from '../../lib/capture-targets';
import { latchkey } from '../../lib/service';
import { i18n } from '#i18n';

/** The same panel as on the registry sites, with the registry editable (the page it was selected on may not be one). */
function Panel({ id, pending }: { id: string; pending: { registry: string; masked: string } }) {
  const at = useRef<HTMLDivElement>(null);
  useEffect(
    () =>
      capturePanel(at.current!, {
        site: 'registry',
        masked: pending.masked,
        registry: pending.registry,
        registryEditable: normalizeRegistry,
        userName: null,
        targets: () => captureTargets(latchkey, `registry-${pending.registry.replace(/[^A-Za-z0-9]+/g, '-')}`),
        save: async (d) => {
          const res = await latchkey.savePendingCapture(id, d);
          return res.ok ? { ok: true } : res;
        },
        onClose: async () => {
          await latchkey.dropPendingCapture(id);
          window.close();
        },
      }).destroy,
    [id, pending],
  );
  return <div ref={at} />;
}

/** The page the context menu opens: the selected token is held by the background; this page only sees it masked. */
function CapturePage() {
  const id = location.hash.slice(1);
  const [pending, setPending] = useState<{ registry: string; masked: string } | null | undefined>(undefined);
  useEffect(() => void latchkey.pendingCapture(id).then(setPending), [id]);
  if (pending === undefined) return <main class="options capture-page"><h1>{i18n.t('capturePage.title')}</h1><p class="loading">{i18n.t('common.loading')}</p></main>;
  if (pending === null) return <main class="options"><h1>{i18n.t('capturePage.nothingTitle')}</h1><p class="muted">{i18n.t('capturePage.nothingBody')}</p></main>;
  return (
    <main class="options capture-page">
      <h1>
        <KeyIcon size={22} /> {i18n.t('capturePage.title')}
      </h1>
      <p class="muted">{i18n.t('capturePage.intro')}</p>
      <Panel id={id} pending={pending} />
    </main>
  );
}

document.title = i18n.t('capturePage.docTitle');
render(<CapturePage />, document.getElementById('app')!);
