/**
 * Browser-side signing for the `/docs` page (issue #11): a small AK/SK panel and
 * `window.campaigndSign`, which Swagger UI's `requestInterceptor` calls for every "Try it out"
 * request. It signs with the same C2 signer as the console and the Node client
 * (src/auth/c2-sign.ts). The keys stay in this tab's session storage (shared with the console).
 */
import { signRequest } from '../../src/auth/c2-sign.js';

const KEY = 'campaignd.credentials';

interface SwaggerRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: unknown;
}

function creds(): { accessKey: string; secretKey: string } | null {
  try {
    const c = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as { accessKey?: string; secretKey?: string } | null;
    return c?.accessKey && c.secretKey ? { accessKey: c.accessKey, secretKey: c.secretKey } : null;
  } catch {
    return null;
  }
}

/** Signs a Swagger UI request in place (unsigned when no key is entered; the server then answers 401). */
async function sign(req: SwaggerRequest): Promise<SwaggerRequest> {
  const c = creds();
  if (!c) return req;
  const url = new URL(req.url, location.href);
  const body = typeof req.body === 'string' && req.body !== '' ? req.body : req.body === undefined || req.body === null ? undefined : JSON.stringify(req.body);
  const method = req.method.toUpperCase();
  const s = await signRequest({ method, url, ...(body !== undefined && method !== 'GET' ? { body } : {}), accessKey: c.accessKey, secretKey: c.secretKey });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) if (k.toLowerCase() !== 'content-type' || body === undefined) headers[k] = v;
  Object.assign(headers, s.headers);
  req.headers = headers;
  req.url = s.url;
  if (body !== undefined && method !== 'GET') req.body = body;
  return req;
}

function panel(): void {
  const box = document.createElement('form');
  box.id = 'campaignd-keys';
  box.setAttribute('aria-label', 'Signing keys');
  box.style.cssText = 'display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;padding:.5rem 1rem;background:#1f2937;color:#fff;font:14px system-ui,sans-serif';
  const c = creds();
  box.innerHTML =
    '<strong>Sign "Try it out" requests</strong>' +
    '<label>AK <input name="ak" autocomplete="username"></label>' +
    '<label>SK <input name="sk" type="password" autocomplete="current-password"></label>' +
    '<button type="submit">Use these keys</button><button type="button" name="forget">Forget</button><span role="status"></span>';
  const ak = box.querySelector<HTMLInputElement>('input[name=ak]')!;
  const sk = box.querySelector<HTMLInputElement>('input[name=sk]')!;
  const status = box.querySelector<HTMLSpanElement>('[role=status]')!;
  const show = () => {
    const k = creds();
    status.textContent = k ? `signing as ${k.accessKey}` : 'not signing (requests will answer 401)';
  };
  if (c) ak.value = c.accessKey;
  box.addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY, JSON.stringify({ accessKey: ak.value.trim(), secretKey: sk.value }));
    sk.value = '';
    show();
  });
  box.querySelector<HTMLButtonElement>('button[name=forget]')!.addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    show();
  });
  show();
  document.body.prepend(box);
}

(window as unknown as { campaigndSign: typeof sign }).campaigndSign = sign;
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', panel);
else panel();
