/**
 * Statements held back and sent with the next query of the same PostgreSQL connection, in one
 * round trip (issue #12: on PostgreSQL a transaction's cost is mostly its round trips).
 *
 * A statement given to {@link deferredStatements} must take no parameters and return nothing
 * its caller reads (BEGIN, the advisory lock, SAVEPOINT/RELEASE/ROLLBACK TO, `pg_notify`).
 * The connection ({@link DeferringConnection}) keeps it and sends it, before anything else, with
 * the next query: joined with a COMMIT into one simple-protocol script (one round trip), dropped
 * before a ROLLBACK (which undoes them), else sent as a script of its own just before the query. Order is
 * kept, so the database sees exactly the statements it would have seen; an error of a held-back
 * statement is reported by the query it went with (the transaction is then aborted, as it
 * would have been).
 *
 * A SAVEPOINT still held back when its own RELEASE (or ROLLBACK TO) arrives is dropped with it:
 * nothing ran in between, so both were no-ops. A group-committed request that sends no
 * statement of its own (reads shared per batch, deferred writes) then costs no statement at all.
 *
 * @example await trx.executeQuery(deferredStatements(['savepoint gc_request']))
 */
import { CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely';

const held = new WeakMap<CompiledQuery, readonly string[]>();

/** A query that a {@link DeferringConnection} keeps and sends with its next query (see the file header). */
export function deferredStatements(statements: readonly string[]): CompiledQuery {
  const q = CompiledQuery.raw(statements.join('; '));
  held.set(q, statements);
  return q;
}

/** Whether `connection` holds statements back ({@link DeferringConnection}); otherwise a deferred query runs at once. */
export function defersStatements(connection: DatabaseConnection): boolean {
  return connection instanceof DeferringConnection;
}

const EMPTY: QueryResult<never> = { rows: [] };

/** Wraps a PostgreSQL connection of Kysely's driver so that it holds back {@link deferredStatements}. */
export class DeferringConnection implements DatabaseConnection {
  readonly #inner: DatabaseConnection;
  #pending: string[] = [];

  constructor(inner: DatabaseConnection) {
    this.#inner = inner;
  }

  /** The wrapped connection (Kysely's driver releases it). */
  get inner(): DatabaseConnection {
    return this.#inner;
  }

  /** Statements held back so far (tests). */
  get pending(): readonly string[] {
    return this.#pending;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statements = held.get(query);
    if (statements !== undefined) {
      for (const s of statements) this.#hold(s);
      return EMPTY as QueryResult<R>;
    }
    if (this.#pending.length === 0) return this.#inner.executeQuery<R>(query);
    const script = this.#pending.join('; ');
    this.#pending = [];
    if (query.parameters.length === 0 && /^rollback$/i.test(query.sql)) {
      // What was held back is undone by the ROLLBACK anyway (and would fail in an aborted
      // transaction, taking the ROLLBACK of the same script with it).
      return this.#inner.executeQuery<R>(query);
    }
    if (query.parameters.length === 0 && /^commit$/i.test(query.sql)) {
      return this.#inner.executeQuery<R>(CompiledQuery.raw(`${script}; ${query.sql}`)).then(() => EMPTY as QueryResult<R>);
    }
    await this.#inner.executeQuery(CompiledQuery.raw(script));
    return this.#inner.executeQuery<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.#pending.length > 0) {
      const script = this.#pending.join('; ');
      this.#pending = [];
      await this.#inner.executeQuery(CompiledQuery.raw(script));
    }
    yield* this.#inner.streamQuery<R>(query, chunkSize);
  }

  /** Drops what is still held back (the connection goes back to the pool: a failed transaction's leftovers). */
  discard(): void {
    this.#pending = [];
  }

  #hold(statement: string): void {
    const last = this.#pending[this.#pending.length - 1];
    const m = /^(release savepoint|rollback to savepoint) (\w+)$/i.exec(statement);
    if (m !== null && last !== undefined && last.toLowerCase() === `savepoint ${m[2]!.toLowerCase()}`) {
      // Nothing ran since the savepoint: ROLLBACK TO undoes nothing (the savepoint stays),
      // RELEASE removes it again.
      if (m[1]!.toLowerCase() === 'release savepoint') this.#pending.pop();
      return;
    }
    this.#pending.push(statement);
  }
}
