/**
 * The extension imports the worker's route types (AppType) for Hono's typed client. Those sources name a few
 * Workers runtime types; this declares exactly those from @cloudflare/workers-types' importable entry point, so the
 * DOM-typed extension compiles without loading the Workers globals that clash with the DOM's.
 */
type Workers = typeof import('@cloudflare/workers-types');

declare global {
  type D1Database = import('@cloudflare/workers-types').D1Database;
  type D1PreparedStatement = import('@cloudflare/workers-types').D1PreparedStatement;
  type D1Result<T = unknown> = import('@cloudflare/workers-types').D1Result<T>;
  type ExecutionContext = import('@cloudflare/workers-types').ExecutionContext;
  type ScheduledController = import('@cloudflare/workers-types').ScheduledController;
  type ExportedHandler<Env = unknown> = import('@cloudflare/workers-types').ExportedHandler<Env>;
  interface SubtleCrypto {
    timingSafeEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean;
  }
}
export type { Workers };
