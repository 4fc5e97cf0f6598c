/**
 * Drafts: the non-secret fields of a form being filled, kept in `storage.session` (memory only, cleared when the
 * browser closes, and not readable by content scripts), so closing the popup to copy a key loses nothing. Secret
 * fields are never put here. Saving one (which knows the provider catalogue) is in draft-save.ts, loaded with the forms.
 */
import type { CredentialsDraft } from './credential-form';
import { KEYS, storageItem } from './items';

export type Draft =
  | { kind: 'credentials'; workspaceId: string; editingId: string | null; draft: CredentialsDraft }
  | { kind: 'secret'; workspaceId: string; editingId: string | null; name: string };

export const draftItem = storageItem<Draft | null>('session', KEYS.draft, null);

export const clearDraft = () => draftItem.removeValue();
