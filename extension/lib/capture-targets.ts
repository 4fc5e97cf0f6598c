/**
 * Where a captured registry token may be saved: the workspaces where the user may create credentials (manage role),
 * each with a free name suggested from what was captured. Computed with the full service (in the background for
 * content scripts, on the capture page for the context menu) so that only ids, labels, roles and one suggested
 * name per workspace ever reach the capture panel; credential listings do not.
 */
import type { Workspace } from '../../shared/api';
import { suggestCredentialsName } from '../../shared/name-rules';
import { PERMISSIONS, type Role, roleAtLeast } from '../../shared/roles';
import type { LatchkeyService, Result } from './api';
import { captureWorkspaceItem, workspaceItem } from './items';
import { apiWorkspaceId, workspaceLabel } from './workspaces';
import { i18n } from '#i18n';

export interface CaptureTarget {
  id: string;
  label: string;
  role: Role;
  suggestedName: string;
}

/** What the capture panel sends on Save, besides the token (content scripts) or the held capture (capture page). */
export interface CaptureSave {
  /** A CaptureTarget id. */
  workspaceId: string;
  name: string;
  userName: string;
  skipRegistryCheck: boolean;
}

type Api = Pick<LatchkeyService, 'workspaces' | 'listCredentials'>;

const mayCreate = (w: Workspace) => roleAtLeast(w.role, PERMISSIONS.manage);

export async function captureTargets(api: Api, nameBase: string): Promise<Result<CaptureTarget[]>> {
  const ws = await api.workspaces();
  if (!ws.ok) return ws;
  const targets: CaptureTarget[] = [];
  for (const w of ws.data.workspaces.filter(mayCreate)) {
    const listed = await api.listCredentials(apiWorkspaceId(w));
    targets.push({
      id: w.id,
      label: workspaceLabel(w),
      role: w.role,
      suggestedName: suggestCredentialsName(nameBase, listed.ok ? listed.data.credentials.map((c) => c.name) : []),
    });
  }
  if (!targets.length) return { ok: false, status: 403, message: i18n.t('capture.noWorkspace') };
  // The workspace a token was last captured into comes first, else the one last chosen in the popup.
  const [lastCapture, lastPopup] = await Promise.all([captureWorkspaceItem.getValue(), workspaceItem.getValue()]);
  const rank = (t: CaptureTarget) => (t.id === lastCapture ? 0 : t.id === lastPopup ? 1 : 2);
  return { ok: true, data: [...targets].sort((a, b) => rank(a) - rank(b)) };
}

/** The API's workspaceId for a capture target id, refused unless it is a workspace where the user may save. */
export async function targetWorkspace(api: Pick<LatchkeyService, 'workspaces'>, targetId: string): Promise<Result<string | null>> {
  const ws = await api.workspaces();
  if (!ws.ok) return ws;
  const w = ws.data.workspaces.find((x) => x.id === targetId);
  if (!w || !mayCreate(w))
    return { ok: false, status: 403, field: 'workspace', message: i18n.t('capture.notThisWorkspace', [targetId]) };
  return { ok: true, data: apiWorkspaceId(w) };
}

/** Remembers where a captured token was saved, to offer that workspace first next time. */
export const rememberCaptureWorkspace = (targetId: string) => captureWorkspaceItem.setValue(targetId);
