/** A workspace as the API addresses it and as the extension names it to the person. */
import type { Workspace } from '../../shared/api';
import { i18n } from '#i18n';

/** The API's workspaceId for a workspace: absent (null) for the personal one. */
export const apiWorkspaceId = (w: Workspace) => (w.kind === 'personal' ? null : w.id);

/** "Personal", or "organization / workspace". */
export const workspaceLabel = (w: Workspace) => (w.kind === 'personal' ? i18n.t('popup.personal') : i18n.t('popup.workspaceLabel', [w.orgName ?? '', w.name]));
