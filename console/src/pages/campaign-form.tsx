/**
 * Create (`POST P2`) or edit (`PUT P2/{id}`) a campaign with the v2 fields: calling windows,
 * retry policy, calling-number pool; special dates (`P/holiday/{id}`) once the campaign exists.
 * The server validates; its message is shown next to the field it names.
 */
import { useEffect, useState } from 'preact/hooks';
import { call, must, P, P2, wireTime } from '../api.js';
import type { Session } from '../session.js';
import { ErrorText, Section, useData } from '../ui.js';

const DAY = 86_400_000;
const SLOTS = ['workday', 'holiday'] as const;

interface FormState {
  name: string;
  description: string;
  strBeginTime: string;
  strEndTime: string;
  deviceType: string;
  maxAlertingTime: string;
  callerNo: string;
  deviceSign: string;
  callCount: string;
  callInterval: string;
  windows: Record<string, string>;
  policyType: string;
  policyJson: string;
  callBackUrl: string;
}

function emptyForm(now: number): FormState {
  const begin = Math.floor(now / DAY) * DAY;
  return {
    name: '',
    description: '',
    strBeginTime: wireTime(begin),
    strEndTime: wireTime(begin + 30 * DAY),
    deviceType: '3',
    maxAlertingTime: '30',
    callerNo: '4001001',
    deviceSign: '100',
    callCount: '10',
    callInterval: '5',
    windows: { workdayBeginTime1: '08:00', workdayEndTime1: '20:00' },
    policyType: '',
    policyJson: '',
    callBackUrl: '',
  };
}

/** The wire body of the form (v2). */
function toBody(f: FormState): Record<string, unknown> {
  const num = (s: string) => (s.trim() === '' ? undefined : /^-?\d+$/.test(s.trim()) ? Number(s) : s);
  const pool = f.callerNo
    .split(/[\n,]+/)
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x, i) => {
      const [code, prio] = x.split(':');
      return { accessCode: code!.trim(), priority: prio ? Number(prio) : i + 1 };
    });
  const scheduleParam: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.windows)) if (v.trim() !== '') scheduleParam[k] = v.trim();
  const body: Record<string, unknown> = {
    name: f.name,
    strBeginTime: f.strBeginTime,
    strEndTime: f.strEndTime,
    deviceType: num(f.deviceType),
    maxAlertingTime: num(f.maxAlertingTime),
    scheduleParam,
    callerNo: pool,
  };
  if (f.description) body.description = f.description;
  if (f.callBackUrl) body.callBackUrl = f.callBackUrl;
  if (f.deviceSign || f.callCount || f.callInterval) {
    body.ivrParam = { deviceSign: f.deviceSign, ...(f.callCount ? { callCount: num(f.callCount) } : {}), ...(f.callInterval ? { callInterval: num(f.callInterval) } : {}) };
  }
  if (f.policyType !== '') body.retryPolicy = { policyType: num(f.policyType), policyJson: f.policyJson || '[]' };
  return body;
}

/** Fields in the order the form shows them; a server message naming one is shown next to it. */
const FIELD_KEYS = [
  'name',
  'description',
  'strBeginTime',
  'strEndTime',
  'deviceType',
  'maxAlertingTime',
  'callerNo',
  'accessCode',
  'deviceSign',
  'callCount',
  'callInterval',
  ...SLOTS.flatMap((s) => [1, 2, 3].flatMap((n) => [`${s}BeginTime${n}`, `${s}EndTime${n}`])),
  'scheduleParam',
  'policyType',
  'policyJson',
  'retryPolicy',
  'callBackUrl',
];

/** The form field a server message is about (the longest key it names), or undefined. */
export function fieldOf(desc: string): string | undefined {
  const named = FIELD_KEYS.filter((k) => new RegExp(`\\b${k}\\b`).test(desc)).sort((a, b) => b.length - a.length)[0];
  if (named === 'accessCode') return 'callerNo';
  if (named === 'retryPolicy') return 'policyJson';
  if (named === 'scheduleParam') return 'workdayBeginTime1';
  return named;
}

export function CampaignForm(props: { vdn: number; session: Session; campaignId?: number }) {
  const { vdn, campaignId } = props;
  const [f, setF] = useState<FormState>(() => emptyForm(props.session.clock.now));
  const [fieldError, setFieldError] = useState<{ field?: string; code: string; desc: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Editing: the form appears once the campaign's current values are in it.
  const [loaded, setLoaded] = useState(!campaignId);

  useEffect(() => {
    if (!campaignId) return;
    must<{ returnObject: Record<string, unknown> }>('GET', `${P(vdn)}/${campaignId}`).then((r) => {
      const c = r.returnObject;
      const ivr = (c.ivrParam ?? {}) as Record<string, unknown>;
      const sched = (c.scheduleParam ?? {}) as Record<string, string | null>;
      const retry = (c.retryPolicy ?? {}) as Record<string, unknown>;
      const windows: Record<string, string> = {};
      for (const [k, v] of Object.entries(sched)) if (v) windows[k] = v;
      setF({
        name: String(c.name ?? ''),
        description: String(c.description ?? ''),
        strBeginTime: String(c.strBeginTime ?? ''),
        strEndTime: String(c.strEndTime ?? ''),
        deviceType: String(c.deviceType ?? ''),
        maxAlertingTime: String(c.maxAlertingTime ?? ''),
        callerNo: ((c.callerNo ?? []) as Array<{ accessCode: string; priority: number }>).map((x) => `${x.accessCode}:${x.priority}`).join('\n'),
        deviceSign: String(ivr.deviceSign ?? ''),
        callCount: ivr.callCount === undefined || ivr.callCount === null ? '' : String(ivr.callCount),
        callInterval: ivr.callInterval === undefined || ivr.callInterval === null ? '' : String(ivr.callInterval),
        windows,
        policyType: retry.retryPolicyId ? String(retry.policyType ?? '') : '',
        policyJson: retry.retryPolicyId ? String(retry.policyJson ?? '') : '',
        callBackUrl: String(c.callBackUrl ?? ''),
      });
      setLoaded(true);
    }, setError);
  }, [vdn, campaignId]);

  const set = (k: keyof FormState) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const setWin = (k: string) => (e: Event) => setF({ ...f, windows: { ...f.windows, [k]: (e.target as HTMLInputElement).value } });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setFieldError(undefined);
    setError(undefined);
    try {
      const body = toBody(f);
      const a = campaignId ? await call('PUT', `${P2(vdn)}/${campaignId}`, body) : await call<{ returnObject?: { id: number } }>('POST', P2(vdn), body);
      if (a.body.resultCode !== '0200000') {
        const field = fieldOf(a.body.resultDesc);
        setFieldError({ ...(field ? { field } : {}), code: a.body.resultCode, desc: a.body.resultDesc });
        if (field) document.getElementById(`f-${field}`)?.focus();
        return;
      }
      const id = campaignId ?? (a.body.returnObject as { id: number }).id;
      location.hash = `#/campaigns/${id}`;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const msg = (k: string) =>
    fieldError?.field === k ? (
      <span class="field-error" id={`e-${k}`} role="alert">
        {fieldError.code}: {fieldError.desc}
      </span>
    ) : null;
  const input = (k: keyof FormState, label: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input
        id={`f-${k}`}
        name={k}
        value={f[k] as string}
        onInput={set(k)}
        aria-invalid={fieldError?.field === k}
        aria-describedby={fieldError?.field === k ? `e-${k}` : undefined}
        {...extra}
      />
      {msg(k)}
    </label>
  );

  if (!loaded) {
    return (
      <Section title={`Edit campaign ${campaignId}`} id="campaign-form">
        <ErrorText error={error} />
        {!error && <p>Loading the campaign…</p>}
      </Section>
    );
  }
  return (
    <Section title={campaignId ? `Edit campaign ${campaignId}` : 'New campaign'} id="campaign-form">
      <form class="form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Campaign</legend>
          {input('name', 'Name')}
          {input('description', 'Description')}
          {input('strBeginTime', 'Begins (UTC, yyyy-MM-dd HH:mm:ss)')}
          {input('strEndTime', 'Ends (UTC, yyyy-MM-dd HH:mm:ss)')}
          <label>
            Device type
            <select id="f-deviceType" name="deviceType" value={f.deviceType} onChange={set('deviceType')} disabled={!!campaignId}>
              <option value="1">1 — IVR (voice navigation)</option>
              <option value="2">2 — agent (predictive / preview)</option>
              <option value="3">3 — automatic IVR</option>
              <option value="5">5 — preview</option>
              <option value="6">6 — robot</option>
            </select>
            {msg('deviceType')}
          </label>
          {input('maxAlertingTime', 'Ring time (s)', { inputMode: 'numeric' })}
          {input('callBackUrl', 'Result callback URL')}
        </fieldset>
        <fieldset>
          <legend>Calling-number pool</legend>
          <label>
            One number per line, optionally <code>number:priority</code>
            <textarea
              id="f-callerNo"
              name="callerNo"
              aria-label="Calling-number pool"
              rows={3}
              value={f.callerNo}
              onInput={set('callerNo')}
              aria-invalid={fieldError?.field === 'callerNo'}
            />
            {msg('callerNo')}
          </label>
        </fieldset>
        <fieldset>
          <legend>IVR</legend>
          {input('deviceSign', 'Flow (deviceSign)')}
          {input('callCount', 'Calls per round', { inputMode: 'numeric' })}
          {input('callInterval', 'Seconds between rounds', { inputMode: 'numeric' })}
        </fieldset>
        <fieldset>
          <legend>Calling windows (HH:mm, campaign time zone)</legend>
          <div class="windows">
            {SLOTS.flatMap((s) =>
              [1, 2, 3].map((n) => (
                <div class="window">
                  <span>
                    {s} {n}
                  </span>
                  {[`${s}BeginTime${n}`, `${s}EndTime${n}`].map((k) => (
                    <label>
                      <span class="sr">{k}</span>
                      <input
                        id={`f-${k}`}
                        name={k}
                        placeholder="HH:mm"
                        size={5}
                        value={f.windows[k] ?? ''}
                        onInput={setWin(k)}
                        aria-label={k}
                        aria-invalid={fieldError?.field === k}
                      />
                      {msg(k)}
                    </label>
                  ))}
                </div>
              )),
            )}
          </div>
        </fieldset>
        <fieldset>
          <legend>Retry policy</legend>
          <label>
            Policy type
            <select id="f-policyType" name="policyType" value={f.policyType} onChange={set('policyType')}>
              <option value="">none (keep)</option>
              <option value="0">0 — by OBS result code</option>
              <option value="1">1 — by external result</option>
            </select>
            {msg('policyType')}
          </label>
          <label>
            policyJson
            <textarea
              id="f-policyJson"
              name="policyJson"
              rows={3}
              value={f.policyJson}
              onInput={set('policyJson')}
              placeholder={`[{"retryTimes":2,"retryDay":1,"retryInterval":1800}]`}
            />
            {msg('policyJson')}
          </label>
        </fieldset>
        {fieldError && !fieldError.field && (
          <p class="error" role="alert">
            {fieldError.code}: {fieldError.desc}
          </p>
        )}
        <ErrorText error={error} />
        <div class="buttons">
          <button type="submit" disabled={busy}>
            {campaignId ? 'Save' : 'Create campaign'}
          </button>
          <a class="button secondary" href={campaignId ? `#/campaigns/${campaignId}` : '#/campaigns'}>
            Cancel
          </a>
        </div>
      </form>
      {campaignId && <SpecialDates vdn={vdn} campaignId={campaignId} />}
    </Section>
  );
}

interface SpecialDate {
  id: number;
  name: string;
  type: number;
  week: string | null;
  beginTime: string | null;
  endTime: string | null;
}

/** Special dates of a campaign (`P/holiday/{campaignId}`): on them the holiday windows apply. */
function SpecialDates(props: { vdn: number; campaignId: number }) {
  const path = `${P(props.vdn)}/holiday/${props.campaignId}`;
  const list = useData(async () => {
    const r = await must<{ returnObject?: SpecialDate[]; data?: SpecialDate[] }>('GET', path);
    return (r.returnObject ?? r.data ?? []) as SpecialDate[];
  }, [path]);
  const [d, setD] = useState({ name: '', type: '2', week: '', beginTime: '', endTime: '' });
  const [error, setError] = useState<unknown>();
  const add = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await must('POST', path, {
        name: d.name,
        type: Number(d.type),
        ...(d.week ? { week: d.week } : {}),
        ...(d.beginTime ? { beginTime: d.beginTime } : {}),
        ...(d.endTime ? { endTime: d.endTime } : {}),
      });
      setD({ ...d, name: '' });
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id: number) => {
    try {
      await must('DELETE', `${path}/${id}`);
    } catch (err) {
      setError(err);
    }
    list.reload();
  };
  const set = (k: keyof typeof d) => (e: Event) => setD({ ...d, [k]: (e.target as HTMLInputElement).value });
  return (
    <div class="subsection">
      <h3>Special dates</h3>
      <ul>
        {(list.data ?? []).map((s) => (
          <li>
            {s.name} (type {s.type}) {s.week ?? ''} {s.beginTime ?? ''}–{s.endTime ?? ''}{' '}
            <button type="button" class="danger" onClick={() => remove(s.id)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form class="inline" onSubmit={add}>
        <input aria-label="special date name" placeholder="name" value={d.name} onInput={set('name')} />
        <select aria-label="special date type" value={d.type} onChange={set('type')}>
          <option value="1">1 weekly</option>
          <option value="2">2 date range</option>
          <option value="3">3 yearly</option>
        </select>
        <input aria-label="week days" placeholder="week (1,7)" value={d.week} onInput={set('week')} size={8} />
        <input aria-label="begin date" placeholder="begin" value={d.beginTime} onInput={set('beginTime')} size={10} />
        <input aria-label="end date" placeholder="end" value={d.endTime} onInput={set('endTime')} size={10} />
        <button type="submit">Add date</button>
      </form>
      <ErrorText error={list.error ?? error} />
    </div>
  );
}
