/**
 * Name rules as plain functions, without zod, so the content scripts can use them without carrying the schemas.
 * Credentials follow Seqera's rule; pipeline secrets must be valid Nextflow secret names.
 */
export const CREDENTIALS_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
/**
 * Nextflow's own rule for secret names (and Seqera's PipelineSecret.name pattern): a letter or '_', then 1-49 segments,
 * each a run of letters and digits or a single '_' that is not followed by another '_'. It counts segments, not
 * characters: 'A' (no segment), 'A__B' and 'Z__Z' (two '_' in a row) are refused.
 */
export const SECRET_NAME_PATTERN = /^[a-zA-Z_](?:[0-9A-Za-z]+|(_)(?!\1)){1,49}$/;
export const SECRET_NAME_MAX = 100;
/** AWS Secrets Manager's SecretString limit: a value that cannot be relayed is refused at the door. */
export const SECRET_VALUE_MAX_BYTES = 65_536;

export const credentialsNameRule =
  "must be 1-100 characters of letters, digits, '-' and '_' (no spaces or dots)";
export const secretNameRule =
  "must follow Nextflow's secret name rule ^[a-zA-Z_](?:[0-9A-Za-z]+|(_)(?!\\1)){1,49}$: a letter or '_' followed by at least one more character, only letters, digits and single '_' (never two '_' in a row), at most 49 runs after the first character";

/** Explains what is wrong with a credentials name, or returns null when it is well formed. */
export function credentialsNameProblem(name: string): string | null {
  if (name.length === 0) return 'is required';
  if (name.length > 100) return `is ${name.length} characters long; the limit is 100`;
  if (!CREDENTIALS_NAME_PATTERN.test(name)) return credentialsNameRule;
  return null;
}

/** Explains what is wrong with a pipeline secret name, or returns null when it is well formed. */
export function secretNameProblem(name: string): string | null {
  if (name.length === 0) return 'is required';
  if (name.length > SECRET_NAME_MAX) return `is ${name.length} characters long; the limit is ${SECRET_NAME_MAX}`;
  if (!SECRET_NAME_PATTERN.test(name)) return secretNameRule;
  return null;
}

/**
 * Suggests a free name from a base ("dockerhub-alice" → "dockerhub-alice-2") given the names already taken.
 * Used by the extension when it proposes a name for a captured token.
 */
export function suggestCredentialsName(base: string, taken: Iterable<string>): string {
  const cleaned = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 90) || 'credentials';
  const used = new Set(taken);
  if (!used.has(cleaned)) return cleaned;
  for (let i = 2; ; i++) {
    const candidate = `${cleaned}-${i}`;
    if (!used.has(candidate)) return candidate;
  }
}
