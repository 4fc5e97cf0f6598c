/**
 * Drafts: the non-secret fields of a form being filled, kept in `storage.session` (memory only, cleared when the
 * browser closes, and not readable by content scripts), so closing the popup to copy a key loses nothing. Secret
 * fields are never put here.
 */
import { providerFields, type ProviderId } from '../../shared/providers';
import type { CredentialsDraft } from './credential-form';
import { storageItem } from './storage';

export type Draft =
  | { kind: 'credentials'; workspaceId: string; editingId: string | null; draft: CredentialsDraft }
  | { kind: 'secret'; workspaceId: string; editingId: string | null; name: string };

export const draftItem = storageItem<Draft | null>('session', 'draft', null);

/** The draft with every secret field emptied: what may be stored. */
export function withoutSecrets(draft: CredentialsDraft): CredentialsDraft {
  const values = { ...draft.values };
  for (const f of providerFields(draft.provider as ProviderId)) if (f.secret) values[f.name] = '';
  return { ...draft, values };
}

export const saveDraft = (d: Draft) => draftItem.setValue(d.kind === 'credentials' ? { ...d, draft: withoutSecrets(d.draft) } : d);
export const clearDraft = () => draftItem.removeValue();
