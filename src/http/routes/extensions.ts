/**
 * campaignd's extensions, under their own prefix `/campaignd/v1` so the vendor surface stays
 * pristine (PRODUCT.md "Extensions"). Signed like every other request.
 *
 * - `GET  /campaignd/v1/clock` — the engine clock.
 * - `POST /campaignd/v1/clock` `{advanceMs}` | `{setMs}` — moves the manual clock; the engine
 *   acts as if that time had passed (needs `CAMPAIGND_CLOCK=manual` and a key allowed on every VDN).
 * - `GET  /campaignd/v1/campaigns/{vdnId}/{campaignId}/calldata/{dataId}/trail` — every decision
 *   about a record and when it is next eligible.
 * - `GET  /campaignd/v1/campaigns/{vdnId}/reservations/due?userAccount=&workNo=` — manual
 *   reservations whose time has come and whose result the agent has not reported yet.
 * - `GET  /campaignd/v1/campaigns/{vdnId}/{campaignId}/progress` — the internal state
 *   (not-started, executing, call-completed, suspended, expired) and the record counts; for a
 *   skill-queue campaign also `agentCampaign`: mode, agents by state, answered, abandoned,
 *   rolling 30-day abandon rate and target, agent occupancy and wait (engine/agent-desk.ts).
 * - `POST /campaignd/v1/campaigns/{vdnId}/calls/{callId}/result` — the outcome of a call the
 *   webhook dialer handed to an external CTI.
 * - `GET  /campaignd/v1/campaigns/{vdnId}/{campaignId}/preflight` — how many waiting records
 *   would be dialled now and how many are held, by gate, with the next eligible instant.
 */
import { Type } from '@sinclair/typebox';
import type { KeyStore } from '../../auth/keys.js';
import { DomainError, paramError } from '../../domain/errors.js';
import { isSerialId } from '../../domain/ids.js';
import type { DomainContext } from '../../domain/context.js';
import { formatDateTime } from '../../domain/time.js';
import { normalizeFailCode } from '../../domain/obs-codes.js';
import { campaignState, wireStatus } from '../../domain/campaign-rules.js';
import { requireCampaign } from '../../domain/campaigns.js';
import { campaignProgressCounts } from '../../store/engine-call-data.repository.js';
import { LATEST_CLOCK_MS, ManualClock } from '../../engine/clock.js';
import { preflight } from '../../engine/preflight.js';
import type { Engine } from '../../engine/engine.js';
import { envelope, ok } from '../envelope.js';
import { CallTurnIn } from '../../contract/call-records.js';
import { EpochMs } from '../../contract/common.js';
import { turnsFromWire } from '../../domain/call-records.js';
import { VdnCampaignParams } from '../../contract/common.js';
import type { RoutePlugin } from './plugin.js';

export interface ExtensionDeps extends DomainContext {
  keys: KeyStore;
  engine?: Engine;
}

const ClockMove = Type.Object({
  advanceMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 * 366 * 86400_000 })),
  setMs: Type.Optional(Type.Integer({ minimum: 0, maximum: LATEST_CLOCK_MS })),
});

const ExternalResult = Type.Object({
  failCode: Type.String({ minLength: 1, maxLength: 5, pattern: '^[0-9]*$' }),
  ackBeginTime: Type.Optional(EpochMs),
  callBeginTime: Type.Optional(EpochMs),
  callEndTime: Type.Optional(EpochMs),
  recordPath: Type.Optional(Type.String({ maxLength: 1024 })),
  /** The dialogue of an automatic or robot call (`callRecord`). */
  turns: Type.Optional(Type.Array(CallTurnIn, { maxItems: 1000 })),
});

function clockView(ms: number, kind: string) {
  return { now: ms, time: formatDateTime(ms), iso: new Date(ms).toISOString(), kind };
}

export function extensionRoutes(deps: ExtensionDeps): RoutePlugin {
  return async (app) => {
    app.get('/v1/clock', async () => ok('success', { returnObject: clockView(deps.clock.now(), deps.clock.kind) }));

    app.post('/v1/clock', { schema: { body: ClockMove } }, async (req, reply) => {
      if (!req.accessKey || !deps.keys.allowsAll(req.accessKey)) {
        return reply.code(403).send(envelope('0200001', 'moving the clock needs a key allowed on every VDN'));
      }
      const clock = deps.clock;
      if (!(clock instanceof ManualClock)) throw paramError('the engine runs on the system clock; start campaignd with CAMPAIGND_CLOCK=manual to move it');
      const { advanceMs, setMs } = req.body;
      if ((advanceMs === undefined) === (setMs === undefined)) throw new DomainError('02000009', 'give exactly one of advanceMs and setMs');
      const target = advanceMs !== undefined ? clock.now() + advanceMs : setMs!;
      if (target > LATEST_CLOCK_MS) throw new DomainError('02000007', `the clock cannot go past ${formatDateTime(LATEST_CLOCK_MS)} (UTC)`);
      if (target < clock.now()) throw paramError('the clock only moves forward');
      const passes = deps.engine ? await deps.engine.advanceTo(target, (ms) => clock.set(ms)) : (clock.set(target), 0);
      await clock.flush();
      return ok('success', { returnObject: { ...clockView(clock.now(), clock.kind), passes } });
    });

    app.get(
      '/v1/campaigns/:vdnId/:campaignId/calldata/:dataId/trail',
      { schema: { params: Type.Composite([VdnCampaignParams, Type.Object({ dataId: Type.Integer({ minimum: 1 }) })]) } },
      async (req) => {
        const { vdnId, campaignId, dataId } = req.params;
        if (!isSerialId(dataId)) throw new DomainError('0200033', `call data ${dataId} does not exist in campaign ${campaignId}`);
        const rec = await deps.db
          .selectFrom('call_data')
          .select(['id', 'state', 'due_at', 'attempts', 'number_index', 'succeeded', 'last_fail_code'])
          .where('id', '=', dataId)
          .where('campaign_id', '=', campaignId)
          .where('vdn_id', '=', vdnId)
          .executeTakeFirst();
        if (!rec) throw new DomainError('0200033', `call data ${dataId} does not exist in campaign ${campaignId}`);
        const rows = await deps.db.selectFrom('engine_trail').selectAll().where('data_id', '=', dataId).orderBy('id').execute();
        const next = rec.state === 'ready' ? Math.max(Number(rec.due_at), deps.clock.now()) : null;
        return ok('success', {
          returnObject: {
            dataId: String(rec.id),
            state: rec.state,
            attempts: rec.attempts,
            numberIndex: rec.number_index,
            succeeded: rec.succeeded === 1,
            nextEligibleAt: next,
            nextEligibleTime: next === null ? null : formatDateTime(next),
            decisions: rows.map((t) => ({
              at: Number(t.at),
              time: formatDateTime(Number(t.at)),
              kind: t.kind,
              gate: t.gate,
              until: t.until === null ? null : Number(t.until),
              callId: t.call_id,
              calledNo: t.called_no,
              callerNo: t.caller_no,
              failCode: t.fail_code,
              detail: t.detail,
            })),
          },
        });
      },
    );

    app.get(
      '/v1/campaigns/:vdnId/reservations/due',
      {
        schema: {
          params: Type.Object({ vdnId: Type.Integer({ minimum: 1, maximum: 9999 }) }),
          querystring: Type.Object({ userAccount: Type.Optional(Type.String({ maxLength: 64 })), workNo: Type.Optional(Type.String({ maxLength: 5 })) }),
        },
      },
      async (req) => {
        let q = deps.db
          .selectFrom('reservations')
          .select(['id', 'campaign_id', 'called_no', 'user_account', 'work_no', 'appoint_time', 'timeout', 'remark'])
          .where('vdn_id', '=', req.params.vdnId)
          .where('call_type', '=', 1)
          .where('state', '=', 'due');
        if (req.query.userAccount) q = q.where('user_account', '=', req.query.userAccount);
        if (req.query.workNo) q = q.where('work_no', '=', req.query.workNo);
        const rows = await q.orderBy('appoint_time').orderBy('id').limit(500).execute();
        return ok('success', {
          data: rows.map((r) => ({
            appointId: r.id,
            taskId: String(r.campaign_id),
            calledNo: r.called_no,
            userAccount: r.user_account,
            workNo: r.work_no,
            appointTime: Number(r.appoint_time),
            timeout: r.timeout === 1,
            remark: r.remark,
          })),
        });
      },
    );

    app.get('/v1/campaigns/:vdnId/:campaignId/progress', { schema: { params: VdnCampaignParams } }, async (req) => {
      const c = await requireCampaign(deps.db, req.params.vdnId, req.params.campaignId);
      const counts = await campaignProgressCounts(deps.db, req.params.campaignId);
      const now = deps.clock.now();
      const callable = counts.ready + counts.dialing + counts.pendingReservations > 0;
      const state = campaignState({ beginTime: Number(c.begin_time), endTime: Number(c.end_time), suspended: c.suspended === 1 }, now, callable);
      const agentCampaign = (await deps.engine?.agents?.view(c, now)) ?? null;
      return ok('success', { returnObject: { campaignId: Number(c.id), state, status: wireStatus(state), ...counts, ...(agentCampaign ? { agentCampaign } : {}) } });
    });

    app.get('/v1/campaigns/:vdnId/:campaignId/preflight', { schema: { params: VdnCampaignParams } }, async (req) => {
      const c = await requireCampaign(deps.db, req.params.vdnId, req.params.campaignId);
      return ok('success', { returnObject: await preflight(deps.db, deps.config, c, deps.clock.now()) });
    });

    app.post(
      '/v1/campaigns/:vdnId/calls/:callId/result',
      { schema: { params: Type.Object({ vdnId: Type.Integer({ minimum: 1, maximum: 9999 }), callId: Type.String({ minLength: 1, maxLength: 64 }) }), body: ExternalResult } },
      async (req) => {
        if (!deps.engine) throw paramError('the engine is not running');
        const b = req.body;
        const order: Array<[string, number | undefined]> = [
          ['ackBeginTime', b.ackBeginTime],
          ['callBeginTime', b.callBeginTime],
          ['callEndTime', b.callEndTime],
        ];
        const given = order.filter((x): x is [string, number] => x[1] !== undefined);
        for (let i = 1; i < given.length; i++) {
          if (given[i]![1] < given[i - 1]![1]) throw paramError(`parameter ${given[i]![0]} must not be earlier than ${given[i - 1]![0]}`);
        }
        const settled = await deps.engine.settleExternal(req.params.callId, req.params.vdnId, {
          failCode: normalizeFailCode(b.failCode),
          ackBeginTime: b.ackBeginTime ?? null,
          callBeginTime: b.callBeginTime ?? null,
          callEndTime: b.callEndTime ?? null,
          recordPath: b.recordPath ?? null,
          ...(b.turns ? { turns: turnsFromWire(b.turns) } : {}),
        });
        if (!settled) throw paramError(`no call ${req.params.callId} is waiting for a result`);
        return ok('success');
      },
    );
  };
}
