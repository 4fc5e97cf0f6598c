import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { KeyIcon } from '../../components/KeyIcon';
import { Banner, Field } from '../../components/ui';
import type { UserInfo } from '../../lib/api';
import { latchkey } from '../../lib/service';
import { accessTokenItem, normalizeServerUrl, originPattern, serverUrlItem, workspaceItem } from '../../lib/storage';

type Status = { kind: 'idle' } | { kind: 'testing' } | { kind: 'ok'; user: UserInfo; version: string; permission: boolean } | { kind: 'error'; message: string };

/** Where the worker is and who you are: tested before anything is saved. */
export function Options() {
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [hasToken, setHasToken] = useState(false);
  const [savedUrl, setSavedUrl] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  const [tokenError, setTokenError] = useState<string | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  useEffect(() => {
    void serverUrlItem.getValue().then((u) => {
      setUrl(u);
      setSavedUrl(u);
    });
    void accessTokenItem.getValue().then((t) => setHasToken(t !== ''));
  }, []);

  async function connect(e: Event) {
    e.preventDefault();
    const server = normalizeServerUrl(url);
    if (!server) return setUrlError('Enter the worker’s URL, such as https://latchkey.example.com or http://127.0.0.1:8787');
    setUrlError(null);
    setTokenError(null);
    // The saved token goes only to the server it was saved for: a changed URL needs the token typed again, so a
    // mistyped or planted URL never receives it.
    if (!token.trim() && hasToken && server !== savedUrl) {
      setStatus({ kind: 'idle' });
      return setTokenError(`The worker URL changed from ${savedUrl}: paste the access token again. A saved token is only sent to the server it was saved for.`);
    }
    const useToken = token.trim() || (hasToken ? await accessTokenItem.getValue() : '');
    if (!useToken) {
      setStatus({ kind: 'idle' });
      return setTokenError('Paste an access token (lk_…): npm start prints one, or ask your administrator.');
    }
    // Ask for the worker's origin now, in this click (optional host permission). The extension also works through
    // CORS when it is refused, so the connection test does not wait on the browser's prompt.
    const permission = browser.permissions.request({ origins: [originPattern(server)] }).catch(() => false);
    setStatus({ kind: 'testing' });
    const res = await latchkey.testConnection(server, useToken.trim());
    if (!res.ok) return setStatus({ kind: 'error', message: res.message });
    await serverUrlItem.setValue(server);
    await accessTokenItem.setValue(useToken.trim());
    await workspaceItem.removeValue();
    setUrl(server);
    setSavedUrl(server);
    setToken('');
    setHasToken(true);
    setStatus({ kind: 'ok', user: res.data.user, version: res.data.version, permission: false });
    const granted = await Promise.race([permission, new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    setStatus((s) => (s.kind === 'ok' ? { ...s, permission: granted } : s));
  }

  async function disconnect() {
    await Promise.all([accessTokenItem.removeValue(), workspaceItem.removeValue()]);
    setHasToken(false);
    setStatus({ kind: 'idle' });
  }

  return (
    <main class="options">
      <h1>
        <KeyIcon size={22} /> Latchkey
      </h1>
      <p class="muted">Connect the extension to your Latchkey worker. The access token is kept in this browser’s extension storage and nowhere else.</p>
      <form class="form" onSubmit={connect} noValidate>
        <Field label="Worker URL" error={urlError ?? undefined} hint="Where your worker runs; npm start prints it.">
          {(id, d) => <input id={id} aria-describedby={d} type="url" placeholder="https://latchkey.example.com" value={url} autoComplete="url" onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field
          label="Access token"
          error={tokenError ?? undefined}
          hint={hasToken ? 'A token is saved for this worker URL. Leave empty to keep it, or paste a new one.' : 'lk_… — shown once when it was created.'}
        >
          {(id, d) => <input id={id} aria-describedby={d} type="password" placeholder={hasToken ? '•••••• (saved)' : 'lk_…'} value={token} autoComplete="off" onInput={(e) => setToken((e.target as HTMLInputElement).value)} />}
        </Field>
        <div class="actions">
          <button type="submit" class="primary" disabled={status.kind === 'testing'}>
            {status.kind === 'testing' ? 'Testing…' : 'Test connection and save'}
          </button>
          {hasToken ? (
            <button type="button" onClick={disconnect}>
              Forget token
            </button>
          ) : null}
        </div>
      </form>
      {status.kind === 'ok' ? (
        <Banner kind="success">
          Connected as <strong>{status.user.userName}</strong> ({status.user.email}) to Latchkey {status.version}.{' '}
          {status.permission ? '' : 'Site access was not granted; the extension still works through the server’s CORS.'}
        </Banner>
      ) : status.kind === 'error' ? (
        <Banner kind="error">{status.message}</Banner>
      ) : null}
    </main>
  );
}
