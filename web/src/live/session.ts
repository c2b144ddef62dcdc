/**
 * Who the page is logged in as. With authentication off (a loopback-only server with no users) the
 * server answers as the local admin and no login is needed.
 */
export interface Session {
  user: string | null;
  role: string | null;
  authentication: 'on' | 'off';
}

/** null: not logged in (401). */
export async function fetchSession(): Promise<Session | null> {
  const response = await fetch('/api/me', { headers: { accept: 'application/json' } });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(`GET /api/me: HTTP ${response.status}`);
  return (await response.json()) as Session;
}

/** Resolves with an error message, or null when logged in (the session cookie is set). */
export async function logIn(username: string, password: string): Promise<string | null> {
  const response = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.ok) return null;
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  return body.error ?? `login failed (HTTP ${response.status})`;
}

export async function logOut(): Promise<void> {
  await fetch('/api/logout', { method: 'POST' });
}
