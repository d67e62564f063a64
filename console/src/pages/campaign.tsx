/**
 * One campaign: live progress and chart, batches, preflight, CSV upload, records with search and
 * each record's decision trail, and the call results with OBS and external codes.
 */
import { useEffect, useState } from 'preact/hooks';
import { must, P, X } from '../api.js';
import { ActivityChart, type ActivityBucket } from '../chart.js';
import { onStream, type Session } from '../session.js';
import { ErrorText, fmtTime, ProgressBar, Section, useData, useThrottled } from '../ui.js';
import { uploadList, type UploadProgress } from '../upload.js';
import { campaignAction, doneOf, type Progress, WIRE_STATUS } from './campaigns.js';
import { moveClock } from './clock.js';

interface Props {
  vdn: number;
  session: Session;
  campaignId: number;
  dataId: number | undefined;
}

export function CampaignPage(props: Props) {
  const { vdn, campaignId } = props;
  const base = `${X(vdn)}/${campaignId}`;
  const details = useData(() => must<{ returnObject: { name: string; status: number } }>('GET', `${P(vdn)}/${campaignId}`).then((r) => r.returnObject), [vdn, campaignId]);
  const progress = useData(() => must<{ returnObject: Progress }>('GET', `${base}/progress`).then((r) => r.returnObject), [base]);
  const activity = useData(() => must<{ returnObject: { buckets: ActivityBucket[] } }>('GET', `${base}/activity`).then((r) => r.returnObject.buckets), [base]);
  const [version, setVersion] = useState(0);
  const refresh = useThrottled(() => {
    progress.reload();
    activity.reload();
    setVersion((v) => v + 1);
  }, 400);
  useEffect(
    () =>
      onStream((e) => {
        if (e.event === 'clock' || e.data.campaignId === campaignId) refresh();
      }),
    [campaignId, refresh],
  );
  const [error, setError] = useState<unknown>();
  const act = async (action: 'pause' | 'resume' | 'delete') => {
    if (action === 'delete' && !confirm(`Delete campaign ${campaignId}? Its history is kept.`)) return;
    setError(undefined);
    try {
      await campaignAction(vdn, campaignId, action);
      if (action === 'delete') location.hash = '#/campaigns';
    } catch (e) {
      setError(e);
    }
    refresh();
  };
  const p = progress.data;
  const d = p ? doneOf(p) : { done: 0, total: 0 };
  return (
    <div class="campaign">
      <Section
        title={`Campaign ${campaignId}${details.data ? ` — ${details.data.name}` : ''}`}
        id="campaign"
        actions={
          <span class="actions">
            {p?.state === 'suspended' ? (
              <button type="button" onClick={() => act('resume')}>
                Resume campaign
              </button>
            ) : (
              <button type="button" onClick={() => act('pause')}>
                Pause campaign
              </button>
            )}
            <a class="button" href={`#/campaigns/${campaignId}/edit`}>
              Edit
            </a>
            <button type="button" class="danger" onClick={() => act('delete')}>
              Delete
            </button>
          </span>
        }
      >
        <ErrorText error={details.error ?? progress.error ?? error} />
        {p && (
          <div class="summary">
            <p>
              Status <strong data-testid="wire-status">{p.status}</strong> ({WIRE_STATUS[p.status] ?? '?'}), state{' '}
              <strong class={`state ${p.state}`} data-testid="state">
                {p.state}
              </strong>
            </p>
            <ProgressBar done={d.done} total={d.total} label="records finished" testId="campaign-progress" />
            <dl class="counters">
              <dt>waiting</dt>
              <dd data-testid="count-ready">{p.ready}</dd>
              <dt>dialling</dt>
              <dd>{p.dialing}</dd>
              <dt>finished</dt>
              <dd data-testid="count-done">{p.done}</dd>
              <dt>succeeded</dt>
              <dd data-testid="count-succeeded">{p.succeeded}</dd>
              <dt>reservations pending</dt>
              <dd>{p.pendingReservations}</dd>
            </dl>
          </div>
        )}
        <ActivityChart buckets={activity.data ?? []} />
      </Section>
      <div class="grid">
        <Batches vdn={vdn} campaignId={campaignId} version={version} />
        <PreflightView base={base} session={props.session} version={version} />
      </div>
      <Upload vdn={vdn} campaignId={campaignId} session={props.session} onDone={refresh} />
      <Records vdn={vdn} campaignId={campaignId} version={version} dataId={props.dataId} />
      <Results vdn={vdn} campaignId={campaignId} version={version} />
    </div>
  );
}

function Batches(props: { vdn: number; campaignId: number; version: number }) {
  const path = `${P(props.vdn)}/callbatch/${props.campaignId}`;
  const list = useData(
    () => must<{ data: Array<{ id: string; name: string; status: number }> }>('GET', `${path}/list`, undefined, { offset: 0, limit: 100 }).then((r) => r.data),
    [path, props.version],
  );
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
    list.reload();
  };
  return (
    <Section title="Batches" id="batches">
      <ErrorText error={list.error ?? error} />
      <ul class="plain">
        {(list.data ?? []).map((b) => (
          <li data-batch={b.id}>
            {b.name} — {b.status === 1 ? 'running' : 'paused'}{' '}
            {b.status === 1 ? (
              <button type="button" onClick={() => run(() => must('POST', `${path}/pause`, { id: b.id }))}>
                Pause
              </button>
            ) : (
              <button type="button" onClick={() => run(() => must('POST', `${path}/resume`, { id: b.id }))}>
                Resume
              </button>
            )}
          </li>
        ))}
        {list.data?.length === 0 && <li>No batches.</li>}
      </ul>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => must('POST', `${path}/create`, { name, status: 1 })).then(() => setName(''));
        }}
      >
        <input aria-label="new batch name" placeholder="batch name" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <button type="submit">Add batch</button>
      </form>
    </Section>
  );
}

interface PreflightPart {
  waiting: number;
  dialNow: number;
  held: number;
  groups: Array<{ gate: string; count: number; nextEligibleAt: number | null; nextEligibleTime: string | null; reason: string }>;
}

function PreflightView(props: { base: string; session: Session; version: number }) {
  const pf = useData(
    () => must<{ returnObject: { time: string; callData: PreflightPart; reservations: PreflightPart } }>('GET', `${props.base}/preflight`).then((r) => r.returnObject),
    [props.base, props.version],
  );
  const [error, setError] = useState<unknown>();
  const next = pf.data
    ? [...pf.data.callData.groups, ...pf.data.reservations.groups].map((g) => g.nextEligibleAt).filter((x): x is number => x !== null && x > props.session.clock.now)
    : [];
  const nextAt = next.length ? Math.min(...next) : undefined;
  return (
    <Section title="Preflight" id="preflight">
      <ErrorText error={pf.error ?? error} />
      {pf.data && (
        <>
          <p>
            At {pf.data.time}: <strong data-testid="dial-now">{pf.data.callData.dialNow}</strong> of {pf.data.callData.waiting} waiting records would be dialled now,{' '}
            <strong>{pf.data.callData.held}</strong> held; reservations: {pf.data.reservations.dialNow} now, {pf.data.reservations.held} held.
          </p>
          <ul class="plain">
            {[...pf.data.callData.groups, ...pf.data.reservations.groups].map((g) => (
              <li>
                <strong>{g.gate}</strong>: {g.count} — {g.reason}
                {g.nextEligibleTime ? ` (next ${g.nextEligibleTime})` : ''}
              </li>
            ))}
          </ul>
          {props.session.clock.kind === 'manual' && nextAt !== undefined && (
            <button
              type="button"
              onClick={() => {
                setError(undefined);
                moveClock({ setMs: nextAt }).catch(setError);
              }}
            >
              Move the clock to the next due work ({fmtTime(nextAt)})
            </button>
          )}
        </>
      )}
    </Section>
  );
}

function Upload(props: { vdn: number; campaignId: number; session: Session; onDone: () => void }) {
  const [file, setFile] = useState<File>();
  const [batchId, setBatchId] = useState('');
  const [prog, setProg] = useState<UploadProgress>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const start = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      await uploadList(props.vdn, props.campaignId, file, batchId || undefined, props.session.limits.callDataMax, props.session.limits.callDataAddIntervalMs, setProg);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      props.onDone();
    }
  };
  return (
    <Section title="Load a list" id="upload">
      <form class="inline" onSubmit={start}>
        <label>
          CSV or XLSX file
          <input
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            name="file"
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0])}
          />
        </label>
        <input aria-label="batch id (optional)" placeholder="batch id (optional)" value={batchId} onInput={(e) => setBatchId((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={!file || busy}>
          Upload
        </button>
      </form>
      <p class="hint">Columns by header: sessionId, called, caller, callData, customField, recycleTime, priority.</p>
      {prog && (
        <>
          <ProgressBar done={prog.sent} total={prog.total} label="upload progress" testId="upload-progress" />
          <p data-testid="upload-result">
            {prog.loaded} loaded, {prog.failed.length} refused{busy ? '…' : '.'}
          </p>
          {prog.failed.length > 0 && (
            <ul class="plain small">
              {prog.failed.slice(0, 20).map((f) => (
                <li>
                  row {f.row}: {f.reason}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <ErrorText error={error} />
    </Section>
  );
}

interface RecordRow {
  dataId: number;
  sessionId: string | null;
  calledNos: string[];
  state: string;
  attempts: number;
  dueAt: number;
  lastCallAt: number | null;
  lastFailCode: string | null;
  lastResultCode: string | null;
}

const PAGE = 20;

function Records(props: { vdn: number; campaignId: number; version: number; dataId: number | undefined }) {
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useData(
    () =>
      must<{ returnObject: { total: number; records: RecordRow[] } }>('GET', `${X(props.vdn)}/${props.campaignId}/records`, undefined, { q: applied, offset, limit: PAGE }).then(
        (r) => r.returnObject,
      ),
    [props.vdn, props.campaignId, applied, offset, props.version],
  );
  const open = props.dataId;
  return (
    <Section title="Records" id="records">
      <search>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            setOffset(0);
            setApplied(q);
          }}
        >
          <input aria-label="search records" placeholder="called number or sessionId" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          <button type="submit">Search</button>
        </form>
      </search>
      <ErrorText error={list.error} />
      {list.data && (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>dataId</th>
                  <th>called</th>
                  <th>state</th>
                  <th>attempts</th>
                  <th>last call</th>
                  <th>OBS / external</th>
                </tr>
              </thead>
              <tbody>
                {list.data.records.map((r) => (
                  <tr data-record={r.dataId} class={open === r.dataId ? 'selected' : undefined}>
                    <td>
                      <a href={`#/campaigns/${props.campaignId}/records/${r.dataId}`}>{r.dataId}</a>
                    </td>
                    <td>{r.calledNos.join(', ')}</td>
                    <td>{r.state}</td>
                    <td>{r.attempts}</td>
                    <td>{fmtTime(r.lastCallAt)}</td>
                    <td>
                      {r.lastFailCode ?? '—'} / {r.lastResultCode ?? '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="pager">
            {list.data.total} records{' '}
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              Previous
            </button>
            <button type="button" disabled={offset + PAGE >= list.data.total} onClick={() => setOffset(offset + PAGE)}>
              Next
            </button>
          </p>
        </>
      )}
      {open !== undefined && <Trail vdn={props.vdn} campaignId={props.campaignId} dataId={open} version={props.version} />}
    </Section>
  );
}

interface Decision {
  at: number;
  time: string;
  kind: string;
  gate: string | null;
  until: number | null;
  callId: string | null;
  calledNo: string | null;
  callerNo: string | null;
  failCode: string | null;
  detail: string | null;
}

function Trail(props: { vdn: number; campaignId: number; dataId: number; version: number }) {
  const t = useData(
    () =>
      must<{ returnObject: { state: string; attempts: number; nextEligibleTime: string | null; decisions: Decision[] } }>(
        'GET',
        `${X(props.vdn)}/${props.campaignId}/calldata/${props.dataId}/trail`,
      ).then((r) => r.returnObject),
    [props.vdn, props.campaignId, props.dataId, props.version],
  );
  return (
    <section class="subsection" aria-label={`trail of record ${props.dataId}`} data-testid="trail">
      <h3>Decision trail of record {props.dataId}</h3>
      <ErrorText error={t.error} />
      {t.data && (
        <>
          <p>
            State {t.data.state}, {t.data.attempts} attempt(s){t.data.nextEligibleTime ? `, next eligible ${t.data.nextEligibleTime}` : ''}.
          </p>
          <ol class="timeline">
            {t.data.decisions.map((d) => (
              <li class={`kind-${d.kind}`}>
                <time>{d.time}</time> <strong>{d.kind}</strong>
                {d.gate ? ` — gate ${d.gate}` : ''}
                {d.until ? ` until ${fmtTime(d.until)}` : ''}
                {d.calledNo ? ` — ${d.callerNo ?? '?'} → ${d.calledNo}` : ''}
                {d.failCode ? ` — OBS ${d.failCode}` : ''}
                {d.detail ? ` (${d.detail})` : ''}
              </li>
            ))}
            {t.data.decisions.length === 0 && <li>No decision yet.</li>}
          </ol>
        </>
      )}
    </section>
  );
}

interface ResultRow {
  called: string;
  callTimeStr: string;
  failCode: string;
  resultCode: string | null;
  callId: string;
  sessionId: string | null;
}

function Results(props: { vdn: number; campaignId: number; version: number }) {
  const r = useData(
    () => must<{ totalCount: number; data: ResultRow[] }>('POST', `${P(props.vdn)}/callresult/${props.campaignId}`, { showDetail: 1, pageNum: 1, pageSize: 50 }),
    [props.vdn, props.campaignId, props.version],
  );
  return (
    <Section title="Call results" id="results">
      <ErrorText error={r.error} />
      {r.data && (
        <div class="table-wrap">
          <p>{r.data.totalCount} attempts (latest 50 shown).</p>
          <table>
            <thead>
              <tr>
                <th>time</th>
                <th>called</th>
                <th>OBS code</th>
                <th>external result</th>
                <th>callId</th>
              </tr>
            </thead>
            <tbody>
              {r.data.data.map((x) => (
                <tr>
                  <td>{x.callTimeStr}</td>
                  <td>{x.called}</td>
                  <td>{x.failCode}</td>
                  <td>{x.resultCode ?? '—'}</td>
                  <td class="mono">{x.callId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
