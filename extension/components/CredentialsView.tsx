import { useMemo, useState } from 'preact/hooks';
import type { Credentials, Workspace } from '../../shared/api';
import { providers } from '../../shared/providers';
import { ago } from '../lib/format';
import { latchkey } from '../lib/service';
import { CredentialsForm } from './CredentialsForm';
import { Banner, ConfirmDelete } from './ui';

interface Props {
  workspace: Workspace;
  canManage: boolean;
  items: Credentials[];
  reload: () => Promise<void>;
}

export function CredentialsView({ workspace, canManage, items, reload }: Props) {
  const [mode, setMode] = useState<{ kind: 'list' } | { kind: 'add' } | { kind: 'edit'; item: Credentials }>({ kind: 'list' });
  const [filter, setFilter] = useState('');
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const wsId = workspace.kind === 'personal' ? null : workspace.id;
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    if (!f) return items;
    return items.filter((c) => c.name.toLowerCase().includes(f) || providers[c.provider].label.toLowerCase().includes(f) || (c.description ?? '').toLowerCase().includes(f));
  }, [items, filter]);

  if (mode.kind !== 'list')
    return (
      <CredentialsForm
        workspace={workspace}
        editing={mode.kind === 'edit' ? mode.item : null}
        onCancel={() => setMode({ kind: 'list' })}
        onDone={async (text) => {
          setMode({ kind: 'list' });
          setNotice({ kind: 'success', text });
          await reload();
        }}
      />
    );

  return (
    <section aria-label="Credentials">
      {notice ? <Banner kind={notice.kind}>{notice.text}</Banner> : null}
      <div class="toolbar">
        <input type="search" aria-label="Filter credentials" placeholder="Filter by name or provider" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        {canManage ? (
          <button type="button" class="primary" onClick={() => setMode({ kind: 'add' })}>
            Add credentials
          </button>
        ) : null}
      </div>
      {!canManage ? <p class="muted">Your role here is {workspace.role}: you can see credentials, not change them.</p> : null}
      {items.length === 0 ? (
        <div class="empty">
          <p>No credentials in this workspace yet.</p>
          {canManage ? <p class="muted">Add cloud keys, registry logins, git tokens or SSH keys; secret fields are encrypted and never shown again.</p> : null}
        </div>
      ) : shown.length === 0 ? (
        <p class="empty">Nothing matches “{filter}”.</p>
      ) : (
        <ul class="list">
          {shown.map((c) => (
            <li key={c.id} data-credentials={c.name}>
              <div class="row-main">
                <span class="name">{c.name}</span>
                <span class={`badge ${c.category}`}>{providers[c.provider].label}</span>
              </div>
              <div class="row-meta">
                <span>Updated {ago(c.lastUpdated)}</span>
                <span>Used {ago(c.lastUsed)}</span>
              </div>
              {canManage || c.provider === 'container-reg' ? (
                <div class="row-actions">
                  {c.provider === 'container-reg' ? (
                    <button
                      type="button"
                      class="small"
                      aria-label={`Check login of ${c.name}`}
                      onClick={async () => {
                        const res = await latchkey.checkRegistryLogin(wsId, c.id);
                        setNotice(res.ok ? { kind: 'success', text: `${String(c.keys.registry)} accepts the login '${c.name}'` } : { kind: 'error', text: res.message });
                      }}
                    >
                      Check login
                    </button>
                  ) : null}
                  {canManage ? <>
                  <button type="button" class="small" aria-label={`Edit ${c.name}`} onClick={() => setMode({ kind: 'edit', item: c })}>
                    Edit
                  </button>
                  <ConfirmDelete
                    what={c.name}
                    onConfirm={async () => {
                      const res = await latchkey.deleteCredentials(wsId, c.id);
                      setNotice(res.ok ? { kind: 'success', text: `Deleted '${c.name}'` } : { kind: 'error', text: res.message });
                      await reload();
                    }}
                  />
                  </> : null}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
