/**
 * Errors a user can act on. Plain functions throw these; the app's one error handler turns them into
 * `{ "message": … }` with the status. Messages never contain a secret value.
 */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 500 | 502 | 503,
    message: string,
    /** Headers the answer carries, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const invalidField = (field: string, rule: string) => new ApiError(400, `Field '${field}' ${rule}`);
export const notFound = (what: string) => new ApiError(404, `${what} not found`);
export const conflict = (message: string) => new ApiError(409, message);
export const forbidden = (message: string) => new ApiError(403, message);
export const unauthorized = (message: string) => new ApiError(401, message);

/** D1 reports constraint violations as plain errors; this recognises a UNIQUE violation. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && /UNIQUE constraint failed/i.test(err.message);
}
