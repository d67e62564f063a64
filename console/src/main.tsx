/**
 * The operator console: a client of campaignd's signed API (issue #14). Hash routes keep the
 * page at `/console/` whatever the server's prefix.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { loadCredentials, must, openEvents, saveCredentials, setUnauthorizedHandler } from './api.js';
import { CampaignForm } from './pages/campaign-form.js';
import { CampaignPage } from './pages/campaign.js';
import { CampaignList } from './pages/campaigns.js';
import { ClockControls } from './pages/clock.js';
import { BlocklistPage, ExternalResultsPage, JournalPage, ReservationsPage } from './pages/lists.js';
import { SignIn } from './pages/signin.js';
import { publish, type Session } from './session.js';
import './styles.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/campaigns');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/campaigns');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

const VDN_KEY = 'campaignd.vdn';

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [signInError, setSignInError] = useState<string>();
  const [vdn, setVdn] = useState<number>(Number(sessionStorage.getItem(VDN_KEY) ?? '1') || 1);
  const [live, setLive] = useState(false);
  const hash = useHash();

  const signOut = (reason?: string) => {
    // The next key may not see this page's campaign: start again from the list.
    location.hash = '#/campaigns';
    saveCredentials(null);
    setSession(null);
    setSignInError(reason);
  };

  useEffect(() => {
    setUnauthorizedHandler((reason) => signOut(`The server refused the key: ${reason}`));
    if (loadCredentials()) void start();
  }, []);

  async function start() {
    try {
      const r = await must<{ returnObject: Session }>('GET', '/campaignd/v1/session');
      const s = r.returnObject;
      setSession(s);
      setSignInError(undefined);
      if (s.vdnIds !== '*' && s.vdnIds.length > 0 && !s.vdnIds.includes(vdn)) setVdn(s.vdnIds[0]!);
    } catch (e) {
      saveCredentials(null);
      setSession(null);
      setSignInError((e as Error).message);
    }
  }

  useEffect(() => {
    if (!session) return;
    sessionStorage.setItem(VDN_KEY, String(vdn));
    return openEvents(
      vdn,
      (e) => {
        if (e.event === 'clock' || e.event === 'hello') {
          const clock = (e.event === 'hello' ? e.data.clock : e.data) as Session['clock'];
          setSession((s) => (s ? { ...s, clock } : s));
        }
        publish(e);
      },
      setLive,
    );
  }, [session?.accessKey, vdn]);

  if (!session) {
    return (
      <SignIn
        error={signInError}
        onSignIn={(c) => {
          saveCredentials(c);
          void start();
        }}
      />
    );
  }

  /** Another VDN: a campaign page of the previous one would only answer 0200007, so back to the list. */
  const chooseVdn = (v: number) => {
    setVdn(v);
    if (/^#\/campaigns\/./.test(location.hash)) location.hash = '#/campaigns';
  };

  const parts = hash.replace(/^#\/?/, '').split('/');
  let page;
  if (parts[0] === 'campaigns' && parts[1] === 'new') page = <CampaignForm vdn={vdn} session={session} />;
  else if (parts[0] === 'campaigns' && parts[1] && parts[2] === 'edit') page = <CampaignForm vdn={vdn} session={session} campaignId={Number(parts[1])} />;
  else if (parts[0] === 'campaigns' && parts[1])
    page = <CampaignPage vdn={vdn} session={session} campaignId={Number(parts[1])} dataId={parts[2] === 'records' && parts[3] ? Number(parts[3]) : undefined} />;
  else if (parts[0] === 'blocklist') page = <BlocklistPage vdn={vdn} />;
  else if (parts[0] === 'reservations') page = <ReservationsPage vdn={vdn} />;
  else if (parts[0] === 'external-results') page = <ExternalResultsPage vdn={vdn} />;
  else if (parts[0] === 'journal') page = <JournalPage vdn={vdn} session={session} />;
  else page = <CampaignList vdn={vdn} />;

  const nav: Array<[string, string]> = [
    ['#/campaigns', 'Campaigns'],
    ['#/blocklist', 'Blocklist'],
    ['#/reservations', 'Reservations'],
    ['#/external-results', 'External results'],
    ['#/journal', 'Journal'],
  ];
  return (
    <div class="shell">
      <header class="top">
        <strong class="brand">campaignd</strong>
        <nav aria-label="Main">
          {nav.map(([href, label]) => (
            <a href={href} aria-current={hash.startsWith(href) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div class="who">
          <span class="vdn-pick">
            VDN{' '}
            {session.vdnIds === '*' ? (
              <input type="number" min={1} max={9999} value={vdn} onChange={(e) => chooseVdn(Number((e.target as HTMLInputElement).value) || 1)} aria-label="VDN" class="vdn" />
            ) : (
              <select value={vdn} onChange={(e) => chooseVdn(Number((e.target as HTMLSelectElement).value))} aria-label="VDN">
                {session.vdnIds.map((v) => (
                  <option value={v}>{v}</option>
                ))}
              </select>
            )}
          </span>
          <span class={live ? 'live on' : 'live'} title={live ? 'live updates connected' : 'live updates reconnecting'} data-testid="live">
            {live ? '● live' : '○ offline'}
          </span>
          <span class="ak">{session.accessKey}</span>
          <button type="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <ClockControls session={session} onMoved={(clock) => setSession((s) => (s ? { ...s, clock } : s))} />
      <main>{page}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
