/**
 * Statements held back by a PostgreSQL connection (store/deferred-statements.ts, issue #12):
 * sent before the next query, in order; joined with a COMMIT into one script; dropped before a
 * ROLLBACK; a SAVEPOINT released with nothing in between is never sent. On a fake connection
 * that records what it is sent (the same on both passes: no database involved).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely';
import { DeferringConnection, deferredStatements } from '../src/store/deferred-statements.js';

function recorder(): { sent: string[]; conn: DatabaseConnection } {
  const sent: string[] = [];
  const conn: DatabaseConnection = {
    async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      sent.push(q.parameters.length > 0 ? `${q.sql} [${q.parameters.join(',')}]` : q.sql);
      return { rows: [{ x: 1 } as R] };
    },
    async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
      yield { rows: [] };
    },
  };
  return { sent, conn };
}

describe('deferred statements (PostgreSQL round trips)', () => {
  test('held back until the next query, then sent before it, in order', async () => {
    const { sent, conn } = recorder();
    const c = new DeferringConnection(conn);
    await c.executeQuery(deferredStatements(['begin', 'select pg_advisory_xact_lock(1)']));
    await c.executeQuery(deferredStatements(['savepoint a']));
    assert.deepEqual(sent, []);
    const r = await c.executeQuery(CompiledQuery.raw('select $1', [7]));
    assert.deepEqual(r.rows, [{ x: 1 }], 'the query answers with its own rows');
    assert.deepEqual(sent, ['begin; select pg_advisory_xact_lock(1); savepoint a', 'select $1 [7]']);
  });

  test('joined with the COMMIT into one script', async () => {
    const { sent, conn } = recorder();
    const c = new DeferringConnection(conn);
    await c.executeQuery(deferredStatements(['release savepoint a', "select pg_notify('c', 'work')"]));
    await c.executeQuery(CompiledQuery.raw('commit'));
    assert.deepEqual(sent, ["release savepoint a; select pg_notify('c', 'work'); commit"]);
  });

  test('dropped before a ROLLBACK', async () => {
    const { sent, conn } = recorder();
    const c = new DeferringConnection(conn);
    await c.executeQuery(deferredStatements(["select pg_notify('c', 'work')"]));
    await c.executeQuery(CompiledQuery.raw('rollback'));
    assert.deepEqual(sent, ['rollback']);
  });

  test('a savepoint with nothing before its RELEASE or ROLLBACK TO is never sent; one with a statement is', async () => {
    const { sent, conn } = recorder();
    const c = new DeferringConnection(conn);
    await c.executeQuery(deferredStatements(['begin']));
    await c.executeQuery(deferredStatements(['savepoint gc_request']));
    await c.executeQuery(deferredStatements(['release savepoint gc_request', 'savepoint gc_request']));
    await c.executeQuery(deferredStatements(['rollback to savepoint gc_request', 'release savepoint gc_request', 'savepoint gc_request']));
    assert.deepEqual(c.pending, ['begin', 'savepoint gc_request']);
    await c.executeQuery(CompiledQuery.raw('insert into t values ($1)', [1]));
    await c.executeQuery(deferredStatements(['rollback to savepoint gc_request', 'release savepoint gc_request']));
    await c.executeQuery(CompiledQuery.raw('commit'));
    assert.deepEqual(sent, ['begin; savepoint gc_request', 'insert into t values ($1) [1]', 'rollback to savepoint gc_request; release savepoint gc_request; commit']);
  });

  test('an error of a held-back statement is the next query’s, and nothing is left held back', async () => {
    const sent: string[] = [];
    const c = new DeferringConnection({
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        sent.push(q.sql);
        if (q.sql.includes('bad')) throw new Error('refused');
        return { rows: [] };
      },
      async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
        yield { rows: [] };
      },
    });
    await c.executeQuery(deferredStatements(['bad statement']));
    await assert.rejects(c.executeQuery(CompiledQuery.raw('select $1', [1])), /refused/);
    assert.deepEqual(c.pending, []);
    assert.deepEqual(sent, ['bad statement']);
  });
});
