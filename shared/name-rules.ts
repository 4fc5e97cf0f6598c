/**
 * Name rules as plain functions, without zod, so the content scripts can use them without carrying the schemas.
 * Credentials follow Seqera's rule; pipeline secrets must be valid Nextflow secret names.
 */
export const CREDENTIALS_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SECRET_NAME_MAX = 100;
/** AWS Secrets Manager's SecretString limit: a value that cannot be relayed is refused at the door. */
export const SECRET_VALUE_MAX_BYTES = 65_536;

export const credentialsNameRule =
  "must be 1-100 characters of letters, digits, '-' and '_' (no spaces or dots)";
export const secretNameRule = `must start with a letter or '_' and contain only letters, digits and '_' (at most ${SECRET_NAME_MAX} characters), as Nextflow secret names do`;

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
