import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { KeyIcon } from '../../components/KeyIcon';
import { Banner, Field } from '../../components/ui';
import type { UserInfo } from '../../lib/api';
import { latchkey } from '../../lib/service';
import { accessTokenItem, seenWorkspacesItem, normalizeServerUrl, originPattern, serverUrlItem, workspaceItem } from '../../lib/storage';
import { i18n } from '#i18n';

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
    if (!server) return setUrlError(i18n.t('options.workerUrlError'));
    setUrlError(null);
    setTokenError(null);
    // The saved token goes only to the server it was saved for: a changed URL needs the token typed again, so a
    // mistyped or planted URL never receives it.
    if (!token.trim() && hasToken && server !== savedUrl) {
      setStatus({ kind: 'idle' });
      return setTokenError(i18n.t('options.urlChanged', [savedUrl]));
    }
    const useToken = token.trim() || (hasToken ? await accessTokenItem.getValue() : '');
    if (!useToken) {
      setStatus({ kind: 'idle' });
      return setTokenError(i18n.t('options.tokenMissing'));
    }
    // Ask for the worker's origin now, in this click (optional host permission). The extension also works through
    // CORS when it is refused, so the connection test does not wait on the browser's prompt.
    const permission = browser.permissions.request({ origins: [originPattern(server)] }).catch(() => false);
    setStatus({ kind: 'testing' });
    const res = await latchkey.testConnection(server, useToken.trim());
    if (!res.ok) return setStatus({ kind: 'error', message: res.message });
    await serverUrlItem.setValue(server);
    await accessTokenItem.setValue(useToken.trim());
    await Promise.all([workspaceItem.removeValue(), seenWorkspacesItem.removeValue(), latchkey.forgetLists()]);
    setUrl(server);
    setSavedUrl(server);
    setToken('');
    setHasToken(true);
    setStatus({ kind: 'ok', user: res.data.user, version: res.data.version, permission: false });
    const granted = await Promise.race([permission, new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
    setStatus((s) => (s.kind === 'ok' ? { ...s, permission: granted } : s));
  }

  async function disconnect() {
    await Promise.all([accessTokenItem.removeValue(), workspaceItem.removeValue(), seenWorkspacesItem.removeValue(), latchkey.forgetLists()]);
    setHasToken(false);
    setStatus({ kind: 'idle' });
  }

  return (
    <main class="options">
      <h1>
        <KeyIcon size={22} /> {i18n.t('app.name')}
      </h1>
      <p class="muted">{i18n.t('options.intro')}</p>
      <form class="form" onSubmit={connect} noValidate>
        <Field label={i18n.t('options.workerUrl')} error={urlError ?? undefined} hint={i18n.t('options.workerUrlHint')}>
          {(id, d) => <input id={id} aria-describedby={d} type="url" placeholder="https://latchkey.example.com" value={url} autoComplete="url" onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />}
        </Field>
        <Field
          label={i18n.t('options.accessToken')}
          error={tokenError ?? undefined}
          hint={hasToken ? i18n.t('options.tokenSavedHint') : i18n.t('options.tokenHint')}
        >
          {(id, d) => <input id={id} aria-describedby={d} type="password" placeholder={hasToken ? i18n.t('options.savedPlaceholder') : 'lk_…'} value={token} autoComplete="off" onInput={(e) => setToken((e.target as HTMLInputElement).value)} />}
        </Field>
        <div class="actions">
          <button type="submit" class="primary" disabled={status.kind === 'testing'}>
            {status.kind === 'testing' ? i18n.t('options.testing') : i18n.t('options.testAndSave')}
          </button>
          {hasToken ? (
            <button type="button" onClick={disconnect}>
              {i18n.t('options.forgetToken')}
            </button>
          ) : null}
        </div>
      </form>
      {status.kind === 'ok' ? (
        <Banner kind="success">
          {i18n.t('options.connectedAs')} <strong>{status.user.userName}</strong> {i18n.t('options.connectedTo', [status.user.email, status.version])}{' '}
          {status.permission ? '' : i18n.t('options.noSiteAccess')}
        </Banner>
      ) : status.kind === 'error' ? (
        <Banner kind="error">{status.message}</Banner>
      ) : null}
    </main>
  );
}
