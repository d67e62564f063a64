/** Sign-in: the AK/SK stay in this tab's session storage and never leave the browser unsigned. */
import { useState } from 'preact/hooks';
import type { Credentials } from '../api.js';

export function SignIn(props: { error: string | undefined; onSignIn: (c: Credentials) => void }) {
  const [ak, setAk] = useState('');
  const [sk, setSk] = useState('');
  return (
    <main class="signin">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSignIn({ accessKey: ak.trim(), secretKey: sk });
        }}
      >
        <h1>campaignd console</h1>
        <p class="hint">Requests are signed in this browser (C2, WebCrypto). The key is kept only in this tab and forgotten when it closes.</p>
        <label>
          Access key (AK)
          <input name="accessKey" autocomplete="username" required value={ak} onInput={(e) => setAk((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Secret key (SK)
          <input name="secretKey" type="password" autocomplete="current-password" required value={sk} onInput={(e) => setSk((e.target as HTMLInputElement).value)} />
        </label>
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
