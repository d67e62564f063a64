/**
 * The journal's deferred `request` (issue #12, migration 016): for a signed request whose body
 * is a flat JSON object with no secret-named field (appoint/create), the journal stores the
 * body text as received in `request` and the query and path fields in `request_params`; the
 * calllogs query composes the vendor's text from the two (domain/calllogs.ts `recordedRequest`,
 * `composeRequest`). The text read is the one the journal stored before (`requestJson`); a
 * secret-named field never reaches the table unmasked; old rows and damaged rows are returned as
 * stored. On the store of the pass (SQLite file, or a PostgreSQL schema of its own).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { bodyRecordableAsReceived, composeRequest, queryCallLogsOfVdn, recordedRequest, requestJson, type RequestParts } from '../src/domain/calllogs.js';
import { newLongId } from '../src/domain/ids.js';
import { formatDateTime } from '../src/domain/time.js';
import { loadCallLogConfig } from '../src/config/calllogs.js';
import { CallLogJournal } from '../src/http/calllogs-journal.js';
import { pendingMigrations } from '../src/store/connect.js';
import { P, campaignBody, envelopeOf, startTestServer, tempDir, type TestServer } from './helpers.js';
import { openTestStore, storeOfFile } from './pg-target.js';
import { callLogRow, journalEntry, undoJournalQueryIndex } from './http-fixtures.js';

const dir = tempDir();
const t = storeOfFile(dir);
const dirs: string[] = [dir];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;
/** The calllogs query (domain) over VDN 1's entries around T0. */
async function apiRequests(): Promise<Map<string, string | null>> {
  const page = await queryCallLogsOfVdn(t.db, 1, { offset: 0, limit: 1000, beginTime: formatDateTime(T0 - 3600_000), endTime: formatDateTime(T0 + 3600_000) });
  return new Map(page.result.map((r) => [r.url, r.request]));
}

async function storedRow(url: string) {
  return t.db.selectFrom('call_logs').select(['request', 'request_params']).where('url', '=', url).executeTakeFirstOrThrow();
}

const parts = (body: string | Buffer | undefined, query: unknown = {}, params: unknown = { vdnId: '1' }): RequestParts => ({
  params,
  query,
  rawBody: body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body),
  authenticated: true,
});

// ---------------------------------------------------------------------------------------------
// A JSON text of a flat object written the many ways a client may write it.

interface Style {
  /** Whitespace around tokens. */
  ws: string;
  /** Every string (names too) as \uXXXX escapes. */
  escapeAll: boolean;
  /** Whole numbers written as `n.0` / with an exponent. */
  numberForm: 'plain' | 'fraction' | 'exponent';
  /** A repeated name first given another primitive (JSON.parse keeps the last). */
  repeat: { name: string; value: string | number | boolean | null } | null;
}

function encodeString(s: string, escapeAll: boolean): string {
  if (!escapeAll) return JSON.stringify(s);
  let out = '"';
  for (let i = 0; i < s.length; i++) out += `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return `${out}"`;
}

function encodeValue(v: string | number | boolean | null, st: Style): string {
  if (typeof v === 'string') return encodeString(v, st.escapeAll);
  if (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) < 1e15) {
    if (st.numberForm === 'fraction') return `${v}.0`;
    if (st.numberForm === 'exponent') return `${v * 10}e-1`;
  }
  return JSON.stringify(v);
}

function rawJson(o: Record<string, string | number | boolean | null>, st: Style): string {
  const w = st.ws;
  const members = Object.keys(o).map((k) => `${w}${encodeString(k, st.escapeAll)}${w}:${w}${encodeValue(o[k]!, st)}${w}`);
  if (st.repeat !== null) members.unshift(`${w}${encodeString(st.repeat.name, st.escapeAll)}${w}:${w}${encodeValue(st.repeat.value, st)}`);
  return `${w}{${members.join(',')}}${w}`;
}

const name = fc.oneof(
  fc.constantFrom('taskId', 'calledNo', 'vdnId', 'remark', 'pageSize', '0', '7', '10', 'a b', 'é', 'x"y', 'back\\slash', '\u{1F680}', 'task', 'key2', 'monkey'),
  fc.string({ maxLength: 5 }),
);
const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', ' ', 'line\nbreak\t"q"', '\\', '/', '\u2028', '\u0000', 'caf\u00e9', '\u{1F680}'),
);
const primitive = fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.constantFrom(1e21, 5e-7, -0));
const style = fc.record({
  ws: fc.constantFrom('', ' ', '\n\t', ' \r\n '),
  escapeAll: fc.boolean(),
  numberForm: fc.constantFrom('plain' as const, 'fraction' as const, 'exponent' as const),
  repeat: fc.option(fc.record({ name, value: primitive }), { nil: null }),
});

describe('composition on read = the text written before (pure)', () => {
  test('property: composeRequest of the stored parts is requestJson of the same call; flat, clear calls take the deferred form', () => {
    let deferred = 0;
    let parsed = 0;
    fc.assert(
      fc.property(
        fc.dictionary(name, primitive, { maxKeys: 8 }),
        style,
        // Query strings are strings; validated path variables may be numbers; anything else (an
        // undefined, a nested value, a secret or `__proto__` name) must fall back to the old text.
        fc.dictionary(name, fc.oneof({ weight: 8, arbitrary: fc.string({ maxLength: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(undefined, ['a'], 'x') }), { maxKeys: 3 }),
        fc.dictionary(
          fc.oneof({ weight: 6, arbitrary: name }, { weight: 1, arbitrary: fc.constantFrom('token', '__proto__', 'pinCode') }),
          fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constantFrom(Number.NaN, -0, true, null, undefined)),
          { maxKeys: 2 },
        ),
        (body, st, query, path) => {
          const raw = rawJson(body, st);
          const p = parts(raw, query, path);
          const r = recordedRequest(p);
          const old = requestJson(p);
          assert.equal(composeRequest(r.request, r.requestParams), old);
          // The body parser's judgement (server.ts: bodyText set on its own parse) gives the same row.
          const size = Buffer.byteLength(raw);
          if (bodyRecordableAsReceived(JSON.parse(raw), raw, size)) {
            parsed++;
            assert.deepEqual(recordedRequest({ ...p, bodyText: raw }), r);
          } else {
            assert.equal(r.requestParams, null, 'a body the parser would not pass on is not stored as received');
          }
          if (r.requestParams !== null) {
            deferred++;
            assert.equal(r.request, raw, 'the body text is stored as received');
          } else {
            assert.equal(r.request, old);
          }
        },
      ),
      { numRuns: 3000 },
    );
    assert.ok(deferred > 500, `only ${deferred} calls took the deferred form`);
    assert.ok(parsed >= deferred, `the parser passed on ${parsed} bodies, ${deferred} were stored as received`);
  });

  test('key clashes: body keys first, then new query keys, then new path keys; later sources win', () => {
    const p = parts('{"10":"b10","vdnId":"body","pageSize":"b","x":1,"2":"b2"}', { pageSize: '5', q: 'q', '1': 'q1' }, { vdnId: 3, x: 'path', '0': 'p0' });
    const r = recordedRequest(p);
    assert.equal(r.requestParams, '{"0":"p0","1":"q1","pageSize":"5","q":"q","vdnId":3,"x":"path"}');
    const composed = composeRequest(r.request, r.requestParams);
    assert.equal(composed, '{"0":"p0","1":"q1","2":"b2","10":"b10","vdnId":3,"pageSize":"5","x":"path","q":"q"}');
    assert.equal(composed, requestJson(p));
  });

  test('what keeps the old text: no body, not JSON, not an object, too large, refused, nested, secret or repeated-nested body', () => {
    for (const body of [
      undefined,
      '',
      'not json',
      '[1,2]',
      '"text"',
      '{"a":{"b":1}}',
      '{"a":[1]}',
      '{"password":"hunter2"}',
      '{"a":{"password":"hunter2"},"a":1}',
      '{"a":["hunter2"],"a":1}',
      '{"note":"has a { brace"}',
      `{"a":"${'x'.repeat(70_000)}"}`,
    ]) {
      const p = parts(body);
      assert.deepEqual(recordedRequest(p), { request: requestJson(p), requestParams: null }, String(body).slice(0, 40));
    }
    const refused = { ...parts('{"a":1}'), authenticated: false };
    assert.deepEqual(recordedRequest(refused), { request: '{"vdnId":"1"}', requestParams: null });
  });

  test('composeRequest returns the stored text when it is the finished one or cannot be composed', () => {
    assert.equal(composeRequest(null, null), null);
    assert.equal(composeRequest('{"a" : 1}', null), '{"a" : 1}');
    for (const [req, params] of [
      ['{"calledNo":', '{"vdnId":"1"}'],
      ['{"a":1}', '{"vdnId":'],
      ['null', '{"vdnId":"1"}'],
      ['[1]', '{"vdnId":"1"}'],
      ['7', '{"vdnId":"1"}'],
      ['{"a":1}', '[1]'],
      ['{"a":1}', 'null'],
    ] as const) {
      assert.equal(composeRequest(req, params), req, `${req} + ${params}`);
    }
  });
});

describe('the journal writes the deferred form; the calllogs query reads the old text (store)', () => {
  const journal = () => new CallLogJournal(t.db, loadCallLogConfig({}));

  test('a flat body is stored as the raw text with request_params; the query returns the text requestJson gives', async () => {
    const raw = ' {\n  "calledNo" : "13800000000",\t"remark":"caf\\u00e9 \u{1F680}", "vdnId":"from body", "n": 1.50 }\n';
    const e = journalEntry(1, { url: '/flat', rawBody: Buffer.from(raw), query: { pageSize: '5' }, params: { vdnId: '1' } });
    const j = journal();
    j.push(e);
    await j.flush();
    assert.deepEqual(await storedRow('/flat'), { request: raw, request_params: '{"pageSize":"5","vdnId":"1"}' });
    const expected = '{"calledNo":"13800000000","remark":"café \u{1F680}","vdnId":"1","n":1.5,"pageSize":"5"}';
    assert.equal(requestJson(e), expected);
    assert.equal((await apiRequests()).get('/flat'), expected);
  });

  test('at rest: a secret-named field (top level, nested, under a repeated name) or a secret query parameter is stored masked, request_params null', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['/secret-top', '{"calledNo":"1","password":"hunter2"}', {}],
      ['/secret-nested', '{"calledNo":"1","serverInfo":{"ip":"10.0.0.1","serverPwd":"hunter2"}}', {}],
      ['/secret-in-array', '{"calledNo":"1","list":[{"apiKey":"hunter2"}]}', {}],
      ['/secret-repeated', '{"a":{"accessToken":"hunter2"},"a":1}', {}],
      ['/secret-escaped-name', '{"pass\\u0077ord":"hunter2"}', {}],
      ['/secret-query', '{"calledNo":"1"}', { token: 'hunter2' }],
    ];
    const j = journal();
    cases.forEach(([url, body, query], i) => j.push(journalEntry(10 + i, { url, rawBody: Buffer.from(body), query })));
    await j.flush();
    const api = await apiRequests();
    for (const [url, body, query] of cases) {
      const row = await storedRow(url);
      assert.equal(row.request_params, null, url);
      assert.ok(row.request !== null && !row.request.includes('hunter2'), `${url}: ${row.request}`);
      assert.match(row.request, /\*{6}|"a":1/, url);
      assert.equal(row.request, requestJson(journalEntry(0, { rawBody: Buffer.from(body), query })), url);
      assert.equal(api.get(url), row.request, url);
    }
  });

  test('a row of the old form (request_params null) is returned as stored', async () => {
    const stored = '{ "b" : 2, "a":"x\\u0041" }';
    await t.db
      .insertInto('call_logs')
      .values({ ...callLogRow(newLongId(T0 + 100), T0 + 100), url: '/old-form', request: stored })
      .execute();
    assert.equal((await storedRow('/old-form')).request_params, null);
    assert.equal((await apiRequests()).get('/old-form'), stored);
  });

  test('a deferred row whose texts are damaged does not fail the query: it is returned as stored, the others composed', async () => {
    const rows = [
      ['/damaged-body', '{"calledNo":"1', '{"vdnId":"1"}'],
      ['/damaged-params', '{"calledNo":"1"}', '{"vdnId":'],
      ['/not-object', 'null', '{"vdnId":"1"}'],
      ['/deep', `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, '{"vdnId":"1"}'],
      ['/fine', '{"calledNo":"1"}', '{"vdnId":"1"}'],
    ] as const;
    await t.db
      .insertInto('call_logs')
      .values(rows.map(([url, request, request_params], i) => ({ ...callLogRow(newLongId(T0 + 200 + i), T0 + 200 + i), url, request, request_params })))
      .execute();
    const api = await apiRequests();
    for (const [url, request] of rows.slice(0, 3)) assert.equal(api.get(url), request, url);
    assert.ok(api.has('/deep'));
    assert.equal(api.get('/fine'), '{"calledNo":"1","vdnId":"1"}');
  });
});

describe('migration 016', () => {
  test('a store at 015 with journal rows migrates: the rows are kept and read as stored', async () => {
    const d = tempDir();
    dirs.push(d);
    const store = await openTestStore(d);
    const row = { ...callLogRow(newLongId(T0), T0), request: '{"calledNo":"13800000000","vdnId":"1"}' };
    try {
      // Back to 015: no `request_params`, the two query indexes of 005 (017 came after 016:
      // Kysely refuses a store whose applied migrations skip one).
      await sql`alter table call_logs drop column request_params`.execute(store.db);
      await undoJournalQueryIndex(store.db);
      await sql`delete from kysely_migration where name in ('016-journal-request-params', '017-journal-query-index')`.execute(store.db);
      assert.deepEqual(await pendingMigrations(store.db, store.caps, store.schema), ['016-journal-request-params', '017-journal-query-index']);
      await store.db.insertInto('call_logs').values(row).execute();
    } finally {
      await store.close();
    }
    const again = await openTestStore(d);
    try {
      assert.deepEqual(await pendingMigrations(again.db, again.caps, again.schema), []);
      assert.deepEqual(await again.db.selectFrom('call_logs').select(['id', 'request', 'request_params']).execute(), [{ id: row.id, request: row.request, request_params: null }]);
      const page = await queryCallLogsOfVdn(again.db, 1, { offset: 0, limit: 10, beginTime: formatDateTime(T0 - 1000), endTime: formatDateTime(T0 + 1000) });
      assert.equal(page.result[0]!.request, row.request);
    } finally {
      await again.close();
    }
  });
});

describe('over HTTP: a signed appoint/create', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  });
  after(async () => s.stop());

  /** The calllogs entries of `url`, once there are `n` (entries are written ~100 ms after the answer). */
  async function entriesOf(url: string, n: number) {
    const window = { beginTime: formatDateTime(Date.now() - 3600_000), endTime: formatDateTime(Date.now() + 3600_000) };
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await s.client.request('POST', `${P(1)}/calllogs`, { offset: 0, limit: 100, url, ...window });
      const page = envelopeOf(res.body) as unknown as { count: number; result: Array<{ id: string; request: string | null; httpStatus: number }> };
      if (page.count >= n) return page.result;
      if (Date.now() > deadline) assert.fail(`${page.count} journal entries for ${url} after 10 s, expected ${n}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('the body text is stored as sent; calllogs answers the text of before; a secret field is masked at rest', async () => {
    const cid = (await s.client.request<{ returnObject: { id: number } }>('POST', P(1), campaignBody())).body!.returnObject.id;
    const url = `${P(1)}/appoint/create`;
    const raw = `{ "callType": 1, "calledNo": "66660001", "userAccount": "agent01", "taskId": "${cid}", "appointTime": ${Date.now() + 3600_000}, "remark": "caf\\u00e9" }`;
    assert.equal((await s.client.request('POST', url, Buffer.from(raw))).status, 200);
    const [e] = await entriesOf(url, 1);
    const row = await s.store.db.selectFrom('call_logs').select(['request', 'request_params']).where('id', '=', e!.id).executeTakeFirstOrThrow();
    assert.equal(row.request, raw);
    assert.notEqual(row.request_params, null);
    const expected = JSON.stringify({ ...(JSON.parse(raw) as object), vdnId: (JSON.parse(row.request_params!) as { vdnId: unknown }).vdnId });
    assert.equal(e!.request, expected);
    assert.equal(e!.request, requestJson({ params: JSON.parse(row.request_params!), query: {}, rawBody: Buffer.from(raw), authenticated: true }));

    const secret = `{"callType":1,"calledNo":"66660002","userAccount":"agent01","taskId":"${cid}","appointTime":${Date.now() + 3600_000},"pinCode":"4321"}`;
    await s.client.request('POST', url, Buffer.from(secret));
    const withSecret = (await entriesOf(url, 2)).find((x) => x.id !== e!.id);
    assert.ok(withSecret, 'the second create is journaled');
    const stored = await s.store.db.selectFrom('call_logs').select(['request', 'request_params']).where('id', '=', withSecret.id).executeTakeFirstOrThrow();
    assert.equal(stored.request_params, null);
    assert.ok(!stored.request!.includes('4321'), stored.request!);
    assert.equal(JSON.parse(stored.request!).pinCode, '******');
    assert.equal(withSecret.request, stored.request);
  });
});
