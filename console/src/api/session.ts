// The operator's admin token for this tab: entered once, kept in sessionStorage (gone when the tab
// closes), sent only in the Authorization header; never put in a URL, a log or localStorage.
const KEY = "radial.adminToken";

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
