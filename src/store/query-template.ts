/**
 * Queries built and compiled once (issue #12): Kysely builds and compiles a query anew on every
 * call, which on the interface's hot path (appoint/create) cost about as much as running the SQL.
 * A template is built once per dialect with placeholder arguments; each call then only fills the
 * parameter list in the order the compiled SQL wants them.
 *
 * The query's shape must not depend on the argument values (no `$if`, no `in` lists of variable
 * length): every argument must end up as a bound parameter. A template whose build uses an
 * argument in any other way fails on first use (the check below), never silently.
 *
 * @example
 * const byId = queryTemplate((db, id: number) => db.selectFrom('campaigns').select('name').where('id', '=', id));
 * const row = (await db.executeQuery(byId(db, 7))).rows[0];
 */
import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';
import type { Db } from './db.js';

const MARK = '\u0000campaignd-template-arg-';

interface Compiled {
  sql: string;
  query: CompiledQuery['query'];
  /** Per bound parameter: the index of the argument, or a constant of the query itself. */
  slots: Array<number | { value: unknown }>;
}

/**
 * A query built once per dialect. `build` receives placeholder values (strings) in place of its
 * arguments; only pass them through to Kysely as values.
 */
export function queryTemplate<A extends unknown[], O>(build: (db: Db, ...args: A) => Compilable<O>): (db: Db, ...args: A) => CompiledQuery<O> {
  const byAdapter = new Map<unknown, Compiled>();
  return (db, ...args) => {
    const adapter = db.getExecutor().adapter.constructor;
    let t = byAdapter.get(adapter);
    if (t === undefined) {
      const marks = args.map((_, i) => `${MARK}${i}`) as unknown as A;
      const c = build(db, ...marks).compile();
      const slots = c.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : { value: p }));
      const used = new Set(slots.filter((s): s is number => typeof s === 'number'));
      if (used.size !== args.length) throw new Error(`query template: ${args.length - used.size} argument(s) are not bound parameters in: ${c.sql}`);
      t = { sql: c.sql, query: c.query, slots };
      byAdapter.set(adapter, t);
    }
    const parameters = t.slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return { sql: t.sql, query: t.query, queryId: createQueryId(), parameters } as CompiledQuery<O>;
  };
}
