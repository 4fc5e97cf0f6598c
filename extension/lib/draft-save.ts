/** Saving a form's draft: only its non-secret fields, as the provider catalogue says which are secret. */
import { providerFields, type ProviderId } from '../../shared/providers';
import type { CredentialsDraft } from './credential-form';
import { type Draft, draftItem } from './drafts';

/** The draft with every secret field emptied: what may be stored. */
export function withoutSecrets(draft: CredentialsDraft): CredentialsDraft {
  const values = { ...draft.values };
  for (const f of providerFields(draft.provider as ProviderId)) if (f.secret) values[f.name] = '';
  return { ...draft, values };
}

export const saveDraft = (d: Draft) => draftItem.setValue(d.kind === 'credentials' ? { ...d, draft: withoutSecrets(d.draft) } : d);
