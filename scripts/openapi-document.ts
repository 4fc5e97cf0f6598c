/**
 * /openapi.json from the routes' own declarations and zod schemas (bundled and run by scripts/openapi.mjs at build
 * time, never part of the worker). The generator is @hono/zod-openapi's: every declared operation is registered with
 * it in the worker's order, so the document is the one the worker used to build on each request.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { operations } from '../worker/src/index';
import { VERSION } from '../worker/src/version';

export function openapiDocument(): unknown {
  const doc = new OpenAPIHono();
  for (const { middleware: _runtimeOnly, ...operation } of operations) doc.openAPIRegistry.registerPath(operation as never);
  doc.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http', scheme: 'bearer', description: 'A Latchkey access token (lk_…), or a Cloudflare Access session when configured',
  });
  doc.openAPIRegistry.registerComponent('securitySchemes', 'runToken', {
    type: 'http', scheme: 'bearer', description: "A run token from the launch: Bearer (Nextflow's TOWER_ACCESS_TOKEN), or the password of Basic credentials with any user name (weblog.basicToken = 'run:<token>')",
  });
  doc.openAPIRegistry.registerComponent('securitySchemes', 'downloadToken', {
    type: 'http', scheme: 'bearer', description: "An 'hpc' run's single-use download token, from its launch kit's head script",
  });
  doc.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN secret' });
  return doc.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Latchkey',
      version: VERSION,
      description: "Credentials and pipeline secrets for Nextflow platforms; paths and shapes follow Seqera Platform's public API. No call ever returns a stored secret value.",
    },
  });
}
