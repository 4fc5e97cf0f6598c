/**
 * The worker tests serve the committed worker/assets/openapi.json (wrangler's build command regenerates it only for
 * dev and deploy): refuse to start when it no longer matches the routes and schemas.
 */
// @ts-expect-error: a plain .mjs script without type declarations
import { openapiStaleness } from '../../scripts/openapi.mjs';

export default async function setup() {
  const problem: string | null = await openapiStaleness();
  if (problem) throw new Error(problem);
}
