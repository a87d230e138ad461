// Who is signed in, and the "confirm it's you" step for routes that need a fresh login.

import * as http from './api.js';
import { ApiError, type User } from './api.js';
import { h } from './dom.js';
import { Form, textField } from './forms.js';
import { authorizeHref, loadProviders, type Provider } from './oidc-providers.js';

let currentUser: User | null = null;
const listeners = new Set<(user: User | null) => void>();

export function user(): User | null {
  return currentUser;
}

export function isAdmin(): boolean {
  return currentUser?.role === 'admin';
}

export function onUserChange(listener: (user: User | null) => void): void {
  listeners.add(listener);
}

export function setUser(next: User | null): void {
  currentUser = next;
  for (const listener of listeners) listener(next);
}

export async function loadMe(): Promise<User> {
  const me = await http.ok(http.api.GET('/api/users/me'));
  setUser(me);
  return me;
}

/** On page load: restore the session from the refresh cookie, if there is one. */
export async function restore(): Promise<boolean> {
  if (!(await http.refresh())) return false;
  try {
    await loadMe();
    return true;
  } catch {
    http.forgetAccessToken();
    setUser(null);
    return false;
  }
}

/** Answers the user, or the challenge when the account asks for its second factor first. */
export async function signIn(username: string, password: string): Promise<User | http.MfaChallenge> {
  const challenge = await http.login(username, password);
  return challenge ?? loadMe();
}

/** An OpenID Connect login's code: the user, or the challenge of the account's second factor. */
export async function signInWithOidcCode(code: string): Promise<User | http.MfaChallenge> {
  // Signed in already: the provider's round trip of the "confirm it's you" dialog. The new
  // login's cookie replaces this session's, which has no further use in this browser.
  const oldSessionId = currentUser ? http.tokenClaims()?.sid : undefined;
  const challenge = await http.oidcExchange(code);
  if (challenge) {
    // The login page asks for the second factor only when nobody is signed in.
    if (currentUser) dropSession();
    return challenge;
  }
  endReplacedSession(oldSessionId);
  return loadMe();
}

/** The login's second step, with an app code or a recovery code. */
export async function completeSignIn(mfaToken: string, code: string): Promise<User> {
  await http.verifyMfa(mfaToken, code);
  return loadMe();
}

export async function signOut(): Promise<void> {
  await http.logout();
  setUser(null);
}

export async function signOutEverywhere(): Promise<void> {
  await http.logoutAll();
  setUser(null);
}

/** The session was lost (refresh failed); forget the user without calling the server. */
export function dropSession(): void {
  http.forgetAccessToken();
  setUser(null);
}

export class ReauthCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'ReauthCancelled';
  }
}

/**
 * Runs a call to a route marked "fresh". When the server answers that the token is not
 * fresh (or it has expired), asks for the password again, logs in again to obtain a
 * fresh token, and retries once.
 */
export async function withFreshLogin<T>(call: () => Promise<T>, reason: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    // A token or session problem (expired, revoked, missing) is cured by a password login
    // too. Other 401s (e.g. "Current password is wrong") are answers to show.
    const sessionProblem =
      err.needsFreshLogin || http.tokenExpired() || /access token|session|^unauthorized\.?$/i.test(err.message.trim());
    if (!sessionProblem) throw err;
    const confirmed = await confirmPassword(reason, await linkedProviders());
    if (!confirmed) throw new ReauthCancelled();
    return call();
  }
}

/** True when the access token came from an interactive login (fresh routes accept it). */
export function hasFreshToken(): boolean {
  return http.tokenClaims()?.fresh === true && !http.tokenExpired();
}

/**
 * Logs in again with the user's password to obtain a fresh token. The new login is a new
 * session; the one it replaces has no further use, so it is ended.
 */
export async function freshLogin(password: string, code = ''): Promise<void> {
  const me = currentUser;
  if (!me) throw new ReauthCancelled();
  const oldSessionId = http.tokenClaims()?.sid;
  const challenge = await http.login(me.username, password);
  // With two-factor login on, a fresh token needs the second factor too.
  if (challenge) await http.verifyMfa(challenge.mfaToken, code);
  endReplacedSession(oldSessionId);
}

/** Ends the session a new login replaced (when it is another one); never throws. */
function endReplacedSession(oldSessionId: string | undefined): void {
  const newSessionId = http.tokenClaims()?.sid;
  if (oldSessionId && newSessionId && oldSessionId !== newSessionId) {
    void http.api.DELETE('/api/auth/sessions/{id}', { params: { path: { id: oldSessionId } } }).catch(() => undefined);
  }
}

/** How long the dialog waits for the linked providers before it opens with the password alone. */
const PROVIDERS_WAIT_MS = 3000;

/**
 * The configured providers the user has linked: an account made by a provider login has no
 * password, and signing in again there gives a fresh token too. Empty when there are none,
 * or when they cannot be asked in time (the dialog then asks for the password, as before).
 */
async function linkedProviders(): Promise<Provider[]> {
  const ask = async (): Promise<Provider[]> => {
    const available = await loadProviders();
    if (available.length === 0) return [];
    // No refresh-and-retry middleware: a lost session must not leave the page from here.
    const identities = () => http.ok(http.apiNoRetry.GET('/api/users/me/identities'));
    const linked = await identities().catch(async (err: unknown) => {
      if (err instanceof ApiError && err.status === 401 && (await http.refresh())) return identities();
      throw err;
    });
    return available.filter((provider) => linked.some((identity) => identity.provider === provider.id));
  };
  let timer: number | undefined;
  const late = new Promise<Provider[]>((resolve) => {
    timer = window.setTimeout(() => resolve([]), PROVIDERS_WAIT_MS);
  });
  try {
    return await Promise.race([ask(), late]);
  } catch {
    return [];
  } finally {
    window.clearTimeout(timer);
  }
}

/** The page the dialog was opened on: the provider's round trip ends there again. */
function currentPath(): string {
  return `${location.pathname}${location.search}`;
}

function confirmPassword(reason: string, providers: Provider[]): Promise<boolean> {
  const me = currentUser;
  if (!me) return Promise.resolve(false);
  return new Promise((resolve) => {
    const previousFocus = document.activeElement as HTMLElement | null;
    let done = false;
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'reauth-title', 'aria-describedby': 'reauth-text' });
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      previousFocus?.focus();
      resolve(ok);
    };
    const form = new Form(
      'reauth',
      [
        // Lets password managers know which account this is.
        h('input', { type: 'text', name: 'username', autocomplete: 'username', value: me.username, hidden: true, readonly: true, tabindex: -1 }),
        textField('reauth', { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }),
        me.mfaEnabled
          ? textField('reauth', {
              name: 'code',
              label: 'Authentication code',
              autocomplete: 'one-time-code',
              required: true,
              hint: 'The 6-digit code from your authenticator app, or a recovery code.',
              attrs: { autocapitalize: 'none', spellcheck: 'false' },
            })
          : null,
      ],
      'Confirm',
      async (f) => {
        await freshLogin(f.value('password'), me.mfaEnabled ? f.value('code') : '');
        finish(true);
      },
      {
        extraActions: h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => finish(false) }, 'Cancel'),
      },
    );
    const originalShowError = form.showError.bind(form);
    form.showError = (err, special) =>
      originalShowError(err, { 401: { password: 'That password is not correct.' }, ...special });
    const names = providers.map((provider) => provider.name).join(' or ');
    const how = providers.length === 0 ? 'enter your password again' : `enter your password again, or sign in again with ${names}`;
    // With a linked provider, a user without a password has a way through too: signing in there
    // again gives a fresh token. The browser leaves for the provider and comes back to this page.
    const viaProvider =
      providers.length === 0
        ? null
        : h(
            'div',
            { class: 'oidc-login reauth-providers' },
            h('p', { class: 'oidc-divider muted' }, 'or'),
            ...providers.map((provider) =>
              h(
                'a',
                {
                  class: 'btn btn-secondary oidc-button',
                  href: authorizeHref(provider.id, currentPath()),
                  'data-provider': provider.id,
                  'aria-describedby': 'reauth-provider-hint',
                },
                `Confirm with ${provider.name}`,
              ),
            ),
            h('p', { id: 'reauth-provider-hint', class: 'hint' }, 'You will come back here; then repeat the action.'),
          );
    dialog.append(
      h('h2', { id: 'reauth-title' }, 'Confirm it’s you'),
      h('p', { id: 'reauth-text', class: 'muted' }, `${reason} For your security, ${how} to continue.`),
      form.el,
    );
    if (viaProvider) dialog.append(viaProvider);
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    // Closed from outside (the page changed, e.g. browser Back): nothing was confirmed.
    dialog.addEventListener('close', () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
    form.control('password').focus();
  });
}
