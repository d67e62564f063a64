/**
 * One rule for bad dates across every interface that takes one (README "Decisions": Times):
 * a value that does not match the field's format is `02000002`, a well-formed date that does not
 * exist (`2031-02-30`, month 13) is `02000007`, except where the interface has its own
 * documented "wrong time format" code, which then answers both: `0200009` for the result
 * queries (callresult, failcategorystatistics), `0200030` for call data (recycleTime) and special
 * dates. Each row sends one malformed and one impossible value to the real server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { campaignBody, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const clock = new ManualClock(Date.UTC(2030, 0, 7, 9));
let s: TestServer;
let cid: number;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' }, { clock });
  cid = await createCampaign(s.client, 1, {}, clock.now());
});
after(async () => s.stop());

interface Row {
  where: string;
  malformed: string;
  impossible: string;
  /** The code for both, or the generic pair. */
  codes: { malformed: string; impossible: string };
  send: (v: string) => Promise<{ resultCode: string; resultDesc: string }>;
}

const GENERIC = { malformed: '02000002', impossible: '02000007' };
const own = (code: string) => ({ malformed: code, impossible: code });
const req = async (method: string, path: string, body?: unknown, query?: Record<string, string | number>) => {
  clock.advance(1000); // call-data adds are spaced 1 s apart
  const res = await s.client.request(method, path, body, query);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body);
};

const rows: Row[] = [
  {
    where: 'campaign add v1 strEndTime',
    malformed: '2031/02/01 00:00:00',
    impossible: '2031-02-30 00:00:00',
    codes: GENERIC,
    send: (v) => req('POST', P(1), campaignBody({ strEndTime: v }, clock.now())),
  },
  {
    where: 'campaign add v2 strBeginTime',
    malformed: '2030-01-07T00:00:00',
    impossible: '2030-13-01 00:00:00',
    codes: GENERIC,
    send: (v) => req('POST', '/rest/isales/v2/openapi/campaigns/1', campaignBody({ strBeginTime: v, callerNo: [{ accessCode: '4001001', priority: 1 }] }, clock.now())),
  },
  {
    where: 'campaign modify strEndTime',
    malformed: '2031-2-1 00:00:00',
    impossible: '2031-02-29 00:00:00',
    codes: GENERIC,
    send: (v) => req('PUT', `${P(1)}/${cid}`, { ...campaignBody({}, clock.now()), strEndTime: v }),
  },
  {
    where: 'campaign list endTime',
    malformed: '2031-02-01',
    impossible: '2031-04-31 00:00:00',
    codes: GENERIC,
    send: (v) => req('GET', P(1), undefined, { status: 0, deviceType: 0, endTime: v }),
  },
  {
    where: 'blocklist add validityExpirationTime',
    malformed: '2031-02-01 24:00',
    impossible: '2031-02-30 00:00:00',
    codes: GENERIC,
    send: (v) => req('POST', `${P(1)}/blocklist/add`, { blocklist: ['5990001'], validityExpirationTime: v }),
  },
  {
    where: 'calllogs endTime',
    malformed: '20300107 000000',
    impossible: '2030-02-30 00:00:00',
    codes: GENERIC,
    send: (v) => req('POST', `${P(1)}/calllogs`, { offset: 0, limit: 10, beginTime: '2030-01-07 00:00:00', endTime: v }),
  },
  {
    where: 'call-data add recycleTime',
    malformed: '2030/03/01 00:00:00',
    impossible: '2030-02-30 00:00:00',
    codes: own('0200030'),
    send: (v) => req('POST', `${P(1)}/calldata/${cid}`, { callDataList: [{ called: '5990002', recycleTime: v }] }),
  },
  {
    where: 'call-data delete recycleTime',
    malformed: '2030-03-01',
    impossible: '2030-02-31 00:00:00',
    codes: own('0200030'),
    send: (v) => req('POST', `${P(1)}/calldata/${cid}/delete`, { recycleTime: v }),
  },
  {
    where: 'callresult endTime',
    malformed: '2030/01/02',
    impossible: '2030-02-30',
    codes: own('0200009'),
    send: (v) => req('POST', `${P(1)}/callresult/${cid}`, { beginTime: '2030-01-01', endTime: v }),
  },
  {
    where: 'failcategorystatistics endDate',
    malformed: '20300102',
    impossible: '2030-02-30',
    codes: own('0200009'),
    send: (v) => req('GET', `${P(1)}/failcategorystatistics?campaignId=${cid}&startDate=2030-01-01&endDate=${encodeURIComponent(v)}`),
  },
  {
    where: 'special date add beginTime',
    malformed: '2030/03/01',
    impossible: '2030-02-29',
    codes: own('0200030'),
    send: (v) => req('POST', `${P(1)}/holiday/${cid}`, { name: `d-${v.replace(/\D/g, '')}`, type: 2, beginTime: v, endTime: '2030-03-02' }),
  },
];

describe('malformed vs impossible dates: one rule', () => {
  for (const r of rows) {
    test(`${r.where}: malformed "${r.malformed}" → ${r.codes.malformed}`, async () => {
      const env = await r.send(r.malformed);
      assert.equal(env.resultCode, r.codes.malformed, env.resultDesc);
    });
    test(`${r.where}: impossible "${r.impossible}" → ${r.codes.impossible}`, async () => {
      const env = await r.send(r.impossible);
      assert.equal(env.resultCode, r.codes.impossible, env.resultDesc);
    });
  }
});
