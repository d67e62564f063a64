/** The engine clock; with `CAMPAIGND_CLOCK=manual`, buttons that move it (POST /campaignd/v1/clock). */
import { useState } from 'preact/hooks';
import { must } from '../api.js';
import type { Session } from '../session.js';
import { ErrorText } from '../ui.js';

const HOUR = 3_600_000;

/** Moves the manual clock; resolves with the new reading or rejects with the server's refusal. */
export async function moveClock(body: { advanceMs: number } | { setMs: number }): Promise<Session['clock']> {
  const r = await must<{ returnObject: Session['clock'] }>('POST', '/campaignd/v1/clock', body);
  return r.returnObject;
}

export function ClockControls(props: { session: Session; onMoved: (c: Session['clock']) => void }) {
  const { clock } = props.session;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const move = async (body: Record<string, number>) => {
    setBusy(true);
    setError(undefined);
    try {
      props.onMoved(await moveClock(body as { advanceMs: number }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="clockbar" aria-label="Engine clock">
      <span>
        Engine clock: <time data-testid="clock">{clock.time}</time> UTC ({clock.kind})
      </span>
      {clock.kind === 'manual' && (
        <span class="clock-buttons">
          <button type="button" disabled={busy} onClick={() => move({ advanceMs: HOUR })}>
            +1 hour
          </button>
          <button type="button" disabled={busy} onClick={() => move({ advanceMs: 24 * HOUR })}>
            +1 day
          </button>
        </span>
      )}
      <ErrorText error={error} />
    </section>
  );
}
