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
 * One page of `select` (`SELECT …` without ORDER BY) in `orderBy` order, with the total number of rows, for the same
 * batch. From the start of a list, one statement: the total comes with each row, from a count of the same select
 * that SQLite runs once (it does not depend on the row), and an empty first page means none. A window count
 * (`COUNT(*) OVER ()`) says the same but makes SQLite build and sort every matching row before the LIMIT: 0.4 ms
 * more for a first page of 100 credentials, measured in workerd beside this form. Further on, a page past the end
 * would not know the total, so it is counted by a second statement.
 */
export function listQuery<R, T>(db: D1Database, select: SqlPart, orderBy: string, page: Page, view: (row: R) => T): ListQuery<T> {
  const limit = pageSql(page);
  const fromStart = page.offset === 0;
  const statements = fromStart
    ? [
        db
          .prepare(`${select.sql.replace(/^SELECT /, () => `SELECT (SELECT COUNT(*) FROM (${select.sql})) AS list_total_size, `)} ORDER BY ${orderBy}${limit.sql}`)
          .bind(...select.params, ...select.params, ...limit.params),
      ]
    : [
        db.prepare(`${select.sql} ORDER BY ${orderBy}${limit.sql}`).bind(...select.params, ...limit.params),
        db.prepare(`SELECT COUNT(*) AS n FROM (${select.sql})`).bind(...select.params),
      ];
  return {
    statements,
    read(results) {
      const rows = (results[0]?.results ?? []) as Array<R & { list_total_size?: number }>;
      const total = fromStart ? (rows[0]?.list_total_size ?? 0) : ((results[1]?.results[0] as { n: number } | undefined)?.n ?? rows.length);
      return {
        items: rows.map((r) => {
          if (fromStart) delete r.list_total_size;
          return view(r);
        }),
        totalSize: total,
      };
    },
  };
}

/** Runs a list query on its own (one round trip). */
export async function runList<T>(db: D1Database, q: ListQuery<T>) {
  return q.read(await db.batch(q.statements));
}

/** The page a list query asks for; `defaultMax` null: the whole list when `max` is left out. */
export const pageOf = (q: { max?: number; offset?: number }, defaultMax: number | null): Page => ({ max: q.max ?? defaultMax, offset: q.offset ?? 0 });

/** Whether a guarded insert (first in `results`) wrote its row. */
export const inserted = (results: D1Result[]) => results[0]?.meta.changes === 1;
