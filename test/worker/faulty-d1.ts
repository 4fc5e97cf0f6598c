/**
 * A D1 binding that fails its Nth call (prepare().run/first/all/raw or batch) with a D1-like error, for fault
 * injection, and counts its calls (with failAt = Infinity it only counts: bench/cost uses it so). Everything else
 * passes through to the real local D1.
 */
const REAL = new WeakMap<object, D1PreparedStatement>();

export function faultyD1(db: D1Database, failAt: number): { db: D1Database; calls: () => number } {
  let count = 0;
  const tick = () => {
    count++;
    if (count === failAt) throw new Error('D1_ERROR: injected fault: the database is unavailable');
  };
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrap(target.bind(...args));
        if (prop === 'run' || prop === 'first' || prop === 'all' || prop === 'raw')
          return async (...args: unknown[]) => {
            tick();
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    REAL.set(proxy, stmt);
    return proxy;
  };
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (query: string) => wrap(target.prepare(query));
      if (prop === 'batch')
        return async (stmts: D1PreparedStatement[]) => {
          tick();
          return target.batch(stmts.map((s) => REAL.get(s) ?? s));
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { db: proxy, calls: () => count };
}
