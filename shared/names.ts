/**
 * Name rules shared by the worker (validation) and the extension (live feedback).
 * Credentials follow Seqera's rule; pipeline secrets must be valid Nextflow secret names,
 * which are also valid environment variable names.
 */
import * as z from './z';

export * from './name-rules';
import { credentialsNameProblem, credentialsNameRule, SECRET_VALUE_MAX_BYTES, secretNameProblem, secretNameRule } from './name-rules';


/** zod error for a string field: "is required" when absent, "must be a string" when of another type. */
export const mustBeString = (issue: { input?: unknown }) => (issue.input === undefined || issue.input === null ? 'is required' : 'must be a string');

/** A string schema whose rule is a problem-explaining function, so the worker and the forms say the same thing. */
function nameSchema(problemOf: (name: string) => string | null, rule: string) {
  return z.withMeta(z
    .string({ error: mustBeString })
    .check((ctx) => {
      const problem = problemOf(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    }), { description: `Unique in the workspace; ${rule}.` });
}

export const CredentialsName = nameSchema(credentialsNameProblem, credentialsNameRule);
export const SecretName = nameSchema(secretNameProblem, secretNameRule);

const utf8 = new TextEncoder();
export const SecretValue = z.withMeta(z
  .string({ error: mustBeString })
  .check((ctx) => {
    if (ctx.value.length === 0) ctx.issues.push({ code: 'custom', message: 'must not be empty', input: '' });
    else if (utf8.encode(ctx.value).byteLength > SECRET_VALUE_MAX_BYTES)
      ctx.issues.push({
        code: 'custom',
        message: `is larger than ${SECRET_VALUE_MAX_BYTES} bytes, the most AWS Secrets Manager stores`,
        input: '',
      });
  }), { description: 'Write-only: never returned by any call.', 'x-secret': true });
