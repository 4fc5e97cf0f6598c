/**
 * Nextflow's Tower trace API as Latchkey answers it (`-with-tower <latchkey>` with TOWER_ACCESS_TOKEN = a run token).
 * Request shapes follow nextflow-io/nextflow plugins/nf-tower (TowerObserver.makeCreateReq / makeBeginReq /
 * makeTasksReq / makeHeartbeatReq / makeCompleteReq). Nextflow sends many more fields than Latchkey reads, and newer
 * versions add more: every object is loose, and only the fields Latchkey reads or Nextflow always sends are typed.
 */
import * as z from './z';
import { RUN_STATES } from './api';

const epochMillis = z.withMeta(z.optional(z.nullable(z.number())), z.DOCS && { description: 'When Nextflow sent the request (epoch milliseconds)' });
const counter = z.optional(z.nullable(z.number()));

/** WorkflowProgress: the run's task counters (and per-process records). */
export const TraceProgress = z.withMeta(z
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
    processes: z.optional(z.nullable(z.array(z.looseObject({})))),
  }), z.DOCS && { id: 'TraceProgress' });

/** WorkflowMetadata.toMap(), as begin and complete send it. */
export const TraceWorkflow = z.withMeta(z
  .looseObject({
    id: z.optional(z.nullable(z.string().check(z.maxLength(100)))),
    runName: z.optional(z.nullable(z.string().check(z.maxLength(200, 'must be at most 200 characters')))),
    sessionId: z.optional(z.nullable(z.string().check(z.maxLength(100, 'must be at most 100 characters')))),
    success: z.optional(z.nullable(z.boolean())),
    exitStatus: z.optional(z.nullable(z.number().check(z.int()))),
    errorMessage: z.optional(z.nullable(z.string())),
  }), z.DOCS && { id: 'TraceWorkflow' });

export const TraceCreateBody = z.withMeta(z
  .looseObject({
    sessionId: z.string().check(z.maxLength(100, 'must be at most 100 characters')),
    runName: z.string().check(z.maxLength(200, 'must be at most 200 characters')),
    projectName: z.optional(z.nullable(z.string())),
    repository: z.optional(z.nullable(z.string())),
    workflowId: z.withMeta(z.optional(z.nullable(z.string().check(z.maxLength(100)))), z.DOCS && { description: "TOWER_WORKFLOW_ID when set; Latchkey's workflow id is the run id and this is ignored" }),
    instant: epochMillis,
  }), z.DOCS && { id: 'TraceCreateBody' });

export const TraceBeginBody = z.withMeta(z
  .looseObject({
    workflow: TraceWorkflow,
    processNames: z.optional(z.nullable(z.array(z.string()))),
    towerLaunch: z.optional(z.nullable(z.boolean())),
    instant: epochMillis,
  }), z.DOCS && { id: 'TraceBeginBody' });

export const TraceProgressBody = z.withMeta(z
  .looseObject({
    tasks: z.optional(z.nullable(z.array(z.looseObject({})))),
    progress: z.optional(z.nullable(TraceProgress)),
    containers: z.optional(z.nullable(z.array(z.unknown()))),
    instant: epochMillis,
  }), z.DOCS && { id: 'TraceProgressBody' });

export const TraceHeartbeatBody = z.withMeta(z
  .looseObject({ progress: z.optional(z.nullable(TraceProgress)), instant: epochMillis }), z.DOCS && { id: 'TraceHeartbeatBody' });

export const TraceCompleteBody = z.withMeta(z
  .looseObject({
    workflow: z.extend(TraceWorkflow, { success: z.withMeta(z.boolean(), z.DOCS && { description: 'true ends the run as succeeded, false as failed' }) }),
    metrics: z.optional(z.nullable(z.array(z.unknown()))),
    progress: z.optional(z.nullable(TraceProgress)),
    instant: epochMillis,
  }), z.DOCS && { id: 'TraceCompleteBody' });

const runState = z.DOCS && { state: z.enum(RUN_STATES), secretsLeft: z.number().check(z.int()) };
/** `workflowId` is the run's id: Nextflow puts it in every later URL. */
export const TraceCreateResponse = z.DOCS && z.object({ workflowId: z.string(), watchUrl: z.string(), ...runState });
export const TraceBeginResponse = z.DOCS && z.object({ workflowId: z.string(), watchUrl: z.string(), ...runState });
export const TraceStateResponse = z.DOCS && z.object({ workflowId: z.string(), ...runState });

export type TraceCreateRequest = z.output<typeof TraceCreateBody>;
export type TraceBeginRequest = z.output<typeof TraceBeginBody>;
export type TraceCompleteRequest = z.output<typeof TraceCompleteBody>;
