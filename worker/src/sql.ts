/**
 * A piece of SQL with its parameters, for queries that take a value either as a plain parameter or as a sub-select
 * (such as "the workspace this caller may read", which lets a read travel in the same D1 batch as the caller's check).
 */
export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** A plain value as an SqlPart: `?` bound to it. */
export const value = (v: unknown): SqlPart => ({ sql: '?', params: [v] });

/** A page of a list: at most `max` rows after skipping `offset`; `max` null means all of them. */
export interface Page {
  max: number | null;
  offset: number;
}

/** LIMIT/OFFSET for a page (SQLite needs a LIMIT before an OFFSET: -1 is "no limit"). */
export const pageSql = (page: Page): SqlPart => ({ sql: ' LIMIT ? OFFSET ?', params: [page.max ?? -1, page.offset] });

/** The whole list. */
export const ALL: Page = { max: null, offset: 0 };

/** A list as statements to put in a batch (one page and the total), and how to read their results. */
export interface ListQuery<T> {
  statements: D1PreparedStatement[];
  read(results: D1Result[]): { items: T[]; totalSize: number };
}

/**
 * One page of `select` (a SELECT without ORDER BY) in `orderBy` order, with the total number of rows, as two
 * statements for the same batch.
 */
export function listQuery<R, T>(db: D1Database, select: SqlPart, orderBy: string, page: Page, view: (row: R) => T): ListQuery<T> {
  const limit = pageSql(page);
  return {
    statements: [
      db.prepare(`${select.sql} ORDER BY ${orderBy}${limit.sql}`).bind(...select.params, ...limit.params),
      db.prepare(`SELECT COUNT(*) AS n FROM (${select.sql})`).bind(...select.params),
    ],
    read(results) {
      const rows = (results[0]?.results ?? []) as R[];
      const total = (results[1]?.results[0] as { n: number } | undefined)?.n ?? rows.length;
      return { items: rows.map(view), totalSize: total };
    },
  };
}

/** Runs a list query on its own (one round trip). */
export async function runList<T>(db: D1Database, q: ListQuery<T>) {
  return q.read(await db.batch(q.statements));
}

/** The page a list query asks for; `defaultMax` null: the whole list when `max` is left out. */
export const pageOf = (q: { max?: number; offset?: number }, defaultMax: number | null): Page => ({ max: q.max ?? defaultMax, offset: q.offset ?? 0 });
