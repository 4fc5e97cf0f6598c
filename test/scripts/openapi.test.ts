/** /openapi.json is built from the schemas at build time; the committed copy the worker serves must be current. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { generateOpenapi, OPENAPI_FILE, openapiStaleness } from '../../scripts/openapi.mjs';

describe('the prebuilt API description', () => {
  it('is what the routes and schemas make now (npm run openapi rebuilds it)', async () => {
    expect(await openapiStaleness()).toBeNull();
  });

  it('documents every declared operation, with the schemas as components', async () => {
    const doc = JSON.parse(await generateOpenapi());
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths as Record<string, object>).reduce((n: number, ops) => n + Object.keys(ops).length, 0);
    expect(operations).toBeGreaterThan(30);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Credentials', 'CreateCredentialsRequest', 'Run', 'LaunchRunRequest', 'Error']));
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    expect(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))).toEqual(doc);
  });
});
