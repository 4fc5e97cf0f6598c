/**
 * Nextflow's Tower trace API as Latchkey answers it (`-with-tower <latchkey>` with TOWER_ACCESS_TOKEN = a run token).
 * Request shapes follow nextflow-io/nextflow plugins/nf-tower (TowerObserver.makeCreateReq / makeBeginReq /
 * makeTasksReq / makeHeartbeatReq / makeCompleteReq). Nextflow sends many more fields than Latchkey reads, and newer
 * versions add more: every object is loose, and only the fields Latchkey reads or Nextflow always sends are typed.
 */
import * as z from 'zod';
import { RUN_STATES } from './api';

const epochMillis = z.number().nullable().optional().meta({ description: 'When Nextflow sent the request (epoch milliseconds)' });
const counter = z.number().nullable().optional();

/** WorkflowProgress: the run's task counters (and per-process records). */
export const TraceProgress = z
  .looseObject({
    pending: counter,
    submitted: counter,
    running: counter,
    succeeded: counter,
    cached: counter,
    failed: counter,
    aborted: counter,
    ignored: counter,
    retries: counter,
    processes: z.array(z.looseObject({})).nullable().optional(),
  })
  .meta({ id: 'TraceProgress' });

/** WorkflowMetadata.toMap(), as begin and complete send it. */
export const TraceWorkflow = z
  .looseObject({
    id: z.string().max(100).nullable().optional(),
    runName: z.string().max(200, 'must be at most 200 characters').nullable().optional(),
    sessionId: z.string().max(100, 'must be at most 100 characters').nullable().optional(),
    success: z.boolean().nullable().optional(),
    exitStatus: z.number().int().nullable().optional(),
    errorMessage: z.string().nullable().optional(),
  })
  .meta({ id: 'TraceWorkflow' });

export const TraceCreateBody = z
  .looseObject({
    sessionId: z.string().max(100, 'must be at most 100 characters'),
    runName: z.string().max(200, 'must be at most 200 characters'),
    projectName: z.string().nullable().optional(),
    repository: z.string().nullable().optional(),
    workflowId: z.string().max(100).nullable().optional().meta({ description: "TOWER_WORKFLOW_ID when set; Latchkey's workflow id is the run id and this is ignored" }),
    instant: epochMillis,
  })
  .meta({ id: 'TraceCreateBody' });

export const TraceBeginBody = z
  .looseObject({
    workflow: TraceWorkflow,
    processNames: z.array(z.string()).nullable().optional(),
    towerLaunch: z.boolean().nullable().optional(),
    instant: epochMillis,
  })
  .meta({ id: 'TraceBeginBody' });

export const TraceProgressBody = z
  .looseObject({
    tasks: z.array(z.looseObject({})).nullable().optional(),
    progress: TraceProgress.nullable().optional(),
    containers: z.array(z.unknown()).nullable().optional(),
    instant: epochMillis,
  })
  .meta({ id: 'TraceProgressBody' });

export const TraceHeartbeatBody = z
  .looseObject({ progress: TraceProgress.nullable().optional(), instant: epochMillis })
  .meta({ id: 'TraceHeartbeatBody' });

export const TraceCompleteBody = z
  .looseObject({
    workflow: TraceWorkflow.extend({ success: z.boolean().meta({ description: 'true ends the run as succeeded, false as failed' }) }),
    metrics: z.array(z.unknown()).nullable().optional(),
    progress: TraceProgress.nullable().optional(),
    instant: epochMillis,
  })
  .meta({ id: 'TraceCompleteBody' });

const runState = { state: z.enum(RUN_STATES), secretsLeft: z.number().int() };
/** `workflowId` is the run's id: Nextflow puts it in every later URL. */
export const TraceCreateResponse = z.object({ workflowId: z.string(), watchUrl: z.string(), ...runState });
export const TraceBeginResponse = z.object({ workflowId: z.string(), watchUrl: z.string(), ...runState });
export const TraceStateResponse = z.object({ workflowId: z.string(), ...runState });

export type TraceCreateRequest = z.output<typeof TraceCreateBody>;
export type TraceBeginRequest = z.output<typeof TraceBeginBody>;
export type TraceCompleteRequest = z.output<typeof TraceCompleteBody>;
