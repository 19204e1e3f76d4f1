// The signed-in user's tokens. Kept in sessionStorage: they survive a reload of this tab and go
// when the tab closes. Any script on the page can read them (an XSS reads them too): a production
// app that cannot rule that out keeps the refresh token in an httpOnly cookie of its own backend.

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const STORAGE_KEY = "movie-collections:tokens";
const listeners = new Set<() => void>();

function read(): Tokens | null {
  const stored = sessionStorage.getItem(STORAGE_KEY);
  return stored ? (JSON.parse(stored) as Tokens) : null;
}

let current: Tokens | null = read();

export function getTokens(): Tokens | null {
  return current;
}

export function setTokens(tokens: Tokens | null): void {
  current = tokens;
  if (tokens) {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
  } else {
    sessionStorage.removeItem(STORAGE_KEY);
  }
  listeners.forEach((listener) => listener());
}

/** For React's useSyncExternalStore. */
export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
