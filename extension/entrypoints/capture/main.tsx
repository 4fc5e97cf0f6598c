import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import '../../assets/style.css';
import '../../assets/capture-panel.css';
import { CapturePanel } from '../../components/CapturePanel';
import { KeyIcon } from '../../components/KeyIcon';
import { captureTargets } from '../../lib/capture-targets';
import { latchkey } from '../../lib/service';

/** The page the context menu opens: the selected token is held by the background; this page only sees it masked. */
function CapturePage() {
  const id = location.hash.slice(1);
  const [pending, setPending] = useState<{ registry: string; masked: string } | null | undefined>(undefined);
  useEffect(() => void latchkey.pendingCapture(id).then(setPending), [id]);
  if (pending === undefined) return <main class="options capture-page"><h1>Save a registry token</h1><p class="loading">Loading…</p></main>;
  if (pending === null) return <main class="options"><h1>Nothing to save</h1><p class="muted">This captured token expired or was already saved. Select it on the page and use the menu again.</p></main>;
  return (
    <main class="options capture-page">
      <h1>
        <KeyIcon size={22} /> Save a registry token
      </h1>
      <p class="muted">You selected a token on a page and chose “Save selection as registry token”. Only its last four characters are shown; nothing is sent until you press Save.</p>
      <CapturePanel
        site="registry"
        masked={pending.masked}
        registry={pending.registry}
        registryEditable
        userName={null}
        targets={() => captureTargets(latchkey, `registry-${pending.registry.replace(/[^A-Za-z0-9]+/g, '-')}`)}
        save={async (d) => {
          const res = await latchkey.savePendingCapture(id, d);
          return res.ok ? { ok: true } : res;
        }}
        onClose={async () => {
          await latchkey.dropPendingCapture(id);
          window.close();
        }}
      />
    </main>
  );
}

render(<CapturePage />, document.getElementById('app')!);
