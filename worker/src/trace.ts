/**
 * Nextflow's Tower trace API, answered for one Latchkey run: `nextflow run … -with-tower <latchkey origin>` with
 * `TOWER_ACCESS_TOKEN=<run token>` reports the run here, and the run's state follows it.
 *
 * The workflow id Latchkey answers is the run's own id, so no mapping is stored; the run token names the run, and
 * every later call must name the same one. `create` and `begin` refuse a run that has already ended or whose launch
 * did not finish (its secrets are gone or were never all there: better to stop Nextflow before any task runs);
 * `begin` marks the run running; `progress` and `heartbeat` only answer the run's state (a failed progress call
 * aborts the run in recent Nextflow, so they never refuse a run the token names); `complete` ends the run as
 * succeeded or failed from `workflow.success` and deletes its secrets.
 */
import type { TraceBeginRequest, TraceCompleteRequest } from '../../shared/trace';
import type { Actor } from './audit';
import { ApiError, notFound } from './errors';
import { completeRun, markRunStarted, type RelaySettings, type RunOutcome, runProgress, runStateOf } from './runs';
import type { Keyring } from './vault';

/** Where a person looks at the run: its record in Latchkey's API, in its workspace. */
async function watchUrlOf(db: D1Database, runId: string, origin: string): Promise<string> {
  const row = await db.prepare('SELECT workspace_id FROM runs WHERE id = ?').bind(runId).first<{ workspace_id: string }>();
  if (!row) throw notFound(`Run '${runId}'`);
  return `${origin}/runs/${runId}?workspaceId=${encodeURIComponent(row.workspace_id)}`;
}

/** 409 unless the run can still be started: its secrets were all created and it has not ended. */
async function liveRunState(db: D1Database, runId: string) {
  const progress = await runStateOf(db, runId);
  switch (progress.state) {
    case 'launched':
    case 'running':
      return progress;
    case 'launching':
      throw new ApiError(409, `Run '${runId}' is still being launched; start Nextflow once the launch has answered`);
    case 'launch_failed':
      throw new ApiError(409, `Run '${runId}' failed to launch and holds no secrets; launch a new run and use its token`);
    default:
      throw new ApiError(409, `Run '${runId}' has already ended (${progress.state}) and its secrets were deleted; launch a new run and use its token`);
  }
}

/** POST /trace/create: Nextflow's hello. Answers the workflow id (the run id) Nextflow puts in every later URL. */
export async function traceCreate(db: D1Database, runId: string, origin: string) {
  const progress = await liveRunState(db, runId);
  return { workflowId: runId, watchUrl: await watchUrlOf(db, runId, origin), ...progress };
}

/** PUT /trace/{id}/begin: the run's tasks are about to start. */
export async function traceBegin(db: D1Database, runId: string, body: TraceBeginRequest, origin: string) {
  await liveRunState(db, runId);
  await markRunStarted(db, runId, { runName: body.workflow.runName ?? undefined, sessionId: body.workflow.sessionId ?? undefined });
  return { workflowId: runId, watchUrl: await watchUrlOf(db, runId, origin), ...(await runStateOf(db, runId)) };
}

/** PUT /trace/{id}/progress and /heartbeat: accepted whatever the run's state, answered with it. */
export async function traceProgress(db: D1Database, runId: string) {
  return { workflowId: runId, ...(await runStateOf(db, runId)) };
}

/** `workflow.success` decides: true is succeeded, false is failed (Nextflow sends it on every complete). */
export const traceOutcome = (body: TraceCompleteRequest): RunOutcome => (body.workflow.success ? 'succeeded' : 'failed');

/** PUT /trace/{id}/complete: ends the run and deletes its secrets; a repeated complete changes nothing. */
export async function traceComplete(db: D1Database, keyring: Keyring, settings: RelaySettings, runId: string, body: TraceCompleteRequest, actor: Actor) {
  const { run } = await completeRun(db, keyring, settings, runId, traceOutcome(body), actor);
  return { workflowId: runId, ...runProgress(run) };
}
