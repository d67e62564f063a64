/** VDN-wide pages: blocklist, reservations (with the agents' due list), external results, the journal. */
import { useState } from 'preact/hooks';
import { must, P, wireTime, X } from '../api.js';
import type { Session } from '../session.js';
import { ErrorText, fmtTime, Section, useData } from '../ui.js';

function Table(props: { head: string[]; rows: Array<Array<string | number | null | undefined>>; empty: string }) {
  if (props.rows.length === 0) return <p>{props.empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              {r.map((c) => (
                <td>{c ?? '—'}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface BlockItem {
  blockNum: string;
  validityExpirationTime: string;
  restrictTimes?: number;
  restrictPeriod?: string;
}

export function BlocklistPage(props: { vdn: number }) {
  const list = useData(() => must<{ data?: BlockItem[]; returnObject?: BlockItem[] }>('POST', `${P(props.vdn)}/blocklist/query`, { offset: 0, limit: 100 }), [props.vdn]);
  const [num, setNum] = useState('');
  const [hours, setHours] = useState('24');
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
  const items = (list.data?.data ?? list.data?.returnObject ?? []) as BlockItem[];
  return (
    <Section title={`Blocklist of VDN ${props.vdn}`} id="blocklist">
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => must('POST', `${P(props.vdn)}/blocklist/add`, { blocklist: [num.trim()], validityTime: Number(hours), validityTimeUnit: 1 }));
        }}
      >
        <input aria-label="number to block" placeholder="number" value={num} onInput={(e) => setNum((e.target as HTMLInputElement).value)} />
        <input aria-label="validity (hours)" value={hours} size={4} onInput={(e) => setHours((e.target as HTMLInputElement).value)} />
        <button type="submit">Block</button>
      </form>
      <ErrorText error={list.error ?? error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>number</th>
              <th>until</th>
              <th>limit</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr>
                <td>{b.blockNum}</td>
                <td>{b.validityExpirationTime}</td>
                <td>{b.restrictTimes ? `${b.restrictTimes} per ${b.restrictPeriod}` : 'never call'}</td>
                <td>
                  <button type="button" class="danger" onClick={() => run(() => must('POST', `${P(props.vdn)}/blocklist/delete`, { blocklistNo: b.blockNum }))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {items.length === 0 && <p>No blocklisted numbers.</p>}
    </Section>
  );
}

interface Appointment {
  appointId: string;
  callType: number;
  appointTime: number;
  calledNo: string;
  taskId: string;
  userAccount: string | null;
  workNo: string | null;
  timeout: boolean;
  failCode: string | null;
}

export function ReservationsPage(props: { vdn: number }) {
  const list = useData(() => must<{ data?: Appointment[]; returnObject?: Appointment[] }>('POST', `${P(props.vdn)}/appoint/list`, { offset: 0, limit: 100 }), [props.vdn]);
  const [agent, setAgent] = useState('');
  const [applied, setApplied] = useState('');
  const due = useData(
    () =>
      must<{ returnObject: Appointment[] | { data: Appointment[] } }>('GET', `${X(props.vdn)}/reservations/due`, undefined, { userAccount: applied }).then((r) => r.returnObject),
    [props.vdn, applied],
  );
  const items = (list.data?.data ?? list.data?.returnObject ?? []) as Appointment[];
  const dueItems = (Array.isArray(due.data) ? due.data : (due.data?.data ?? [])) as Appointment[];
  const row = (a: Appointment) => [
    a.appointId,
    a.callType === 1 ? 'manual' : 'automatic',
    fmtTime(a.appointTime),
    a.calledNo,
    a.taskId,
    a.userAccount ?? a.workNo,
    a.timeout ? 'timed out' : '',
    a.failCode,
  ];
  return (
    <>
      <Section title="Agents' due list" id="due">
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(agent.trim());
          }}
        >
          <input aria-label="agent account" placeholder="userAccount (empty: all)" value={agent} onInput={(e) => setAgent((e.target as HTMLInputElement).value)} />
          <button type="submit">Show</button>
        </form>
        <ErrorText error={due.error} />
        <Table head={['id', 'kind', 'time', 'called', 'campaign', 'agent', '', 'OBS']} rows={dueItems.map(row)} empty="Nothing due." />
      </Section>
      <Section title={`Reservations of VDN ${props.vdn}`} id="reservations">
        <ErrorText error={list.error} />
        <Table head={['id', 'kind', 'time', 'called', 'campaign', 'agent', '', 'OBS']} rows={items.map(row)} empty="No reservations." />
      </Section>
    </>
  );
}

interface ObResult {
  defId: string;
  resultCode: string | null;
  displayResult: string;
}

/** Every page of a `pageNum`/`pageSize` (≤ 50) list. */
async function allPages<T>(path: string, pick: (body: Record<string, unknown>) => T[]): Promise<T[]> {
  const all: T[] = [];
  for (let n = 1; n <= 100; n++) {
    const r = await must<{ totalCount: number }>('GET', path, undefined, { pageNum: n, pageSize: 50 });
    const items = pick(r);
    all.push(...items);
    if (items.length === 0 || all.length >= r.totalCount) break;
  }
  return all;
}

export function ExternalResultsPage(props: { vdn: number }) {
  const list = useData(() => allPages(`${P(props.vdn)}/queryOBSResults`, (b) => (b.data ?? []) as ObResult[]), [props.vdn]);
  const codes = useData(() => allPages(`${P(props.vdn)}/queryOBSResultCode`, (b) => (b.obsCodes ?? []) as Array<{ obsCode: string; obsCodeDesc: string }>), [props.vdn]);
  return (
    <>
      <Section title="External results" id="external">
        <ErrorText error={list.error} />
        <Table head={['defId', 'code', 'text']} rows={(list.data ?? []).map((r) => [r.defId, r.resultCode, r.displayResult])} empty="No external results defined." />
      </Section>
      <Section title="OBS result codes" id="obs">
        <ErrorText error={codes.error} />
        <Table head={['code', 'meaning']} rows={(codes.data ?? []).map((c) => [c.obsCode, c.obsCodeDesc])} empty="—" />
      </Section>
    </>
  );
}

interface LogRow {
  id: string;
  operTime: string;
  url: string;
  resultCode: string | null;
  resultDesc: string | null;
  httpStatus: number;
  type: string;
}

export function JournalPage(props: { vdn: number; session: Session }) {
  const now = props.session.clock.now;
  // operTime is engine time; the interface answers at most 7 days at once.
  const range = { beginTime: wireTime(now + 60_000 - 7 * 86_400_000), endTime: wireTime(now + 60_000) };
  const list = useData(() => must<{ count: number; result: LogRow[] }>('POST', `${P(props.vdn)}/calllogs`, { offset: 0, limit: 100, ...range }), [props.vdn, range.endTime]);
  return (
    <Section
      title={`Journal (calllogs) of VDN ${props.vdn}`}
      id="journal"
      actions={
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      }
    >
      <p class="hint">
        Requests from {range.beginTime} to {range.endTime} (UTC, engine time), newest first.
      </p>
      <ErrorText error={list.error} />
      <Table
        head={['time', 'type', 'path', 'HTTP', 'result']}
        rows={(list.data?.result ?? []).map((r) => [r.operTime, r.type, r.url, r.httpStatus, `${r.resultCode ?? ''} ${r.resultDesc ?? ''}`])}
        empty="No requests journaled."
      />
    </Section>
  );
}
