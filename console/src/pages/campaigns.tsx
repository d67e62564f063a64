/** Campaign list: wire status and internal state, live progress, pause / resume / delete. */
import { useEffect, useState } from 'preact/hooks';
import { must, P, X } from '../api.js';
import { onStream } from '../session.js';
import { ErrorText, ProgressBar, Section, useData, useThrottled } from '../ui.js';

export interface CampaignRow {
  id: number;
  name: string;
  status: number;
  deviceType: number;
  strBeginTime?: string;
  strEndTime?: string;
  beginTime?: string;
  endTime?: string;
}

/** `GET /campaignd/v1/campaigns/{vdn}/{id}/progress`. */
export interface Progress {
  campaignId: number;
  state: string;
  status: number;
  ready: number;
  dialing: number;
  done: number;
  succeeded: number;
  pendingReservations: number;
}

/** Records finished vs all records. */
export function doneOf(p: Progress): { done: number; total: number } {
  return { done: p.done, total: p.ready + p.dialing + p.done };
}

export const WIRE_STATUS: Record<number, string> = { 1: 'initial', 2: 'running', 3: 'paused', 4: 'ended' };

/** Pause, resume or delete a campaign (the vendor interfaces). */
export async function campaignAction(vdn: number, id: number, action: 'pause' | 'resume' | 'delete'): Promise<void> {
  if (action === 'delete') await must('DELETE', `${P(vdn)}/${id}`, { archiveHistory: 1 });
  else await must('PUT', `${P(vdn)}/${id}/${action}`);
}

export function CampaignList(props: { vdn: number }) {
  const { vdn } = props;
  const list = useData(async () => {
    const r = await must<{ data: CampaignRow[] }>('GET', P(vdn), undefined, { status: 0, deviceType: 0, curPage: 1, rowsPerPage: 100 });
    const rows = r.data;
    const progress = await Promise.all(rows.map((c) => must<{ returnObject: Progress }>('GET', `${X(vdn)}/${c.id}/progress`).then((p) => p.returnObject)));
    return rows.map((c, i) => ({ c, p: progress[i]! }));
  }, [vdn]);
  const [error, setError] = useState<unknown>();
  const reload = useThrottled(list.reload, 500);
  useEffect(() => onStream((e) => e.event !== 'hello' && reload()), [reload]);
  const act = async (id: number, action: 'pause' | 'resume' | 'delete') => {
    if (action === 'delete' && !confirm(`Delete campaign ${id}? Its history is kept (archiveHistory 1).`)) return;
    setError(undefined);
    try {
      await campaignAction(vdn, id, action);
    } catch (e) {
      setError(e);
    }
    list.reload();
  };
  return (
    <Section
      title={`Campaigns of VDN ${vdn}`}
      id="campaigns"
      actions={
        <a class="button" href="#/campaigns/new">
          New campaign
        </a>
      }
    >
      <ErrorText error={list.error ?? error} />
      {list.data && list.data.length === 0 && <p>No campaigns yet.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Id</th>
                <th>Name</th>
                <th>Status</th>
                <th>State</th>
                <th>Progress</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map(({ c, p }) => {
                const d = doneOf(p);
                return (
                  <tr data-campaign={c.id}>
                    <td>{c.id}</td>
                    <td>
                      <a href={`#/campaigns/${c.id}`}>{c.name}</a>
                    </td>
                    <td>
                      {p.status} {WIRE_STATUS[p.status] ?? ''}
                    </td>
                    <td>
                      <span class={`state ${p.state}`}>{p.state}</span>
                    </td>
                    <td class="wide">
                      <ProgressBar done={d.done} total={d.total} label={`progress of campaign ${c.id}`} />
                    </td>
                    <td class="actions">
                      {p.state === 'suspended' ? (
                        <button type="button" onClick={() => act(c.id, 'resume')}>
                          Resume
                        </button>
                      ) : (
                        <button type="button" onClick={() => act(c.id, 'pause')}>
                          Pause
                        </button>
                      )}
                      <a class="button" href={`#/campaigns/${c.id}/edit`}>
                        Edit
                      </a>
                      <button type="button" class="danger" onClick={() => act(c.id, 'delete')}>
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
