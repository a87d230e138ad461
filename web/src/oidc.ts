// Sign in with an OpenID Connect provider: the "Continue with ..." buttons, the #/oidc page
// that trades the login code for the session, the login page's error messages, and the
// account page's linked identities.

import * as http from './api.js';
import { ApiError, type Schemas } from './api.js';
import { card, h, replace, spinner, srOnly, timeEl, toast } from './dom.js';
import { authorizeHref, loadProviders, safePath, type Provider } from './oidc-providers.js';
import type { ViewContext } from './router.js';
import * as session from './session.js';

type Identity = Schemas['UserIdentityDto'];

/** What each `#/login?error=<code>` of the OIDC callback means to the user. */
const ERRORS: Record<string, string> = {
  invalid_state: 'That sign-in took too long or was started in another browser. Please try again.',
  access_denied: 'The sign-in was cancelled at the provider.',
  provider_error: 'The provider could not sign you in. Please try again.',
  provider_unavailable: 'The provider cannot be reached right now. Please try again later, or log in another way.',
  login_failed: 'The provider’s answer could not be verified, so you were not signed in. Please try again.',
  email_not_verified:
    'An account with this email address already exists, but the provider has not verified the address. Log in with your password, or verify the address at the provider first.',
  account_email_not_verified:
    'An account with this email address already exists, but its address is not verified yet. Log in with your password and verify your email first.',
  identity_conflict: 'The account with this email address is already linked to another account at this provider.',
};

export function oidcErrorMessage(code: string | null): string | null {
  if (!code) return null;
  return ERRORS[code] ?? 'The sign-in with the provider failed. Please try again.';
}

/**
 * "Continue with <name>" for each provider; nothing while the list loads or when it is empty.
 * Each is a plain link: the browser leaves for the provider and comes back to #/oidc.
 */
export function oidcButtons(returnTo: string | null): HTMLElement {
  const area = h('div', { class: 'oidc-login', hidden: true });
  void loadProviders().then((list) => {
    if (list.length === 0) return;
    replace(
      area,
      h('p', { class: 'oidc-divider muted' }, 'or'),
      ...list.map((provider) =>
        h(
          'a',
          { class: 'btn btn-secondary oidc-button', href: authorizeHref(provider.id, returnTo), 'data-provider': provider.id },
          `Continue with ${provider.name}`,
        ),
      ),
    );
    area.hidden = false;
  });
  return area;
}

/** Where the provider's round trip ends: trades the one-time code for the session. */
export function oidcView(ctx: ViewContext): Promise<void> {
  const code = ctx.params.get('code');
  const returnTo = safePath(ctx.params.get('returnTo'));
  // The code is single-use; keep it out of the history and the address bar.
  ctx.replaceParams(new URLSearchParams());
  replace(ctx.root, h('div', { class: 'narrow' }, card(h('h1', { tabindex: -1, class: 'card-title' }, 'Signing you in…'), spinner('Signing you in…'))));
  const next = !returnTo || returnTo === '/' ? '/dashboard' : returnTo;
  if (!code) {
    ctx.navigate('/login', { text: oidcErrorMessage('invalid_state')!, kind: 'error' });
    return Promise.resolve();
  }
  return session.signInWithOidcCode(code).then(
    (outcome) => {
      if ('mfaRequired' in outcome) {
        pendingSecondStep = { mfaToken: outcome.mfaToken, returnTo: next };
        ctx.navigate('/login');
        return;
      }
      ctx.navigate(next);
    },
    (err: unknown) => {
      const text =
        err instanceof ApiError && err.status === 403
          ? err.messages.join(' ')
          : err instanceof ApiError && err.status === 401
            ? oidcErrorMessage('invalid_state')!
            : err instanceof Error
              ? err.message
              : 'The sign-in failed.';
      ctx.navigate('/login', { text, kind: 'error' });
    },
  );
}

let pendingSecondStep: { mfaToken: string; returnTo: string } | null = null;

/** A provider login of an account with two-factor login on: the login page asks for the code. */
export function takePendingSecondStep(): { mfaToken: string; returnTo: string } | null {
  const pending = pendingSecondStep;
  pendingSecondStep = null;
  return pending;
}

/** The account page's "Sign-in providers" card: linked identities, unlink. */
export function identitiesCard(ctx: ViewContext): HTMLElement {
  const listArea = h('div', { 'aria-live': 'polite' }, spinner('Loading linked accounts…'));
  const section = card(
    h('h2', { class: 'card-title', id: 'identities-title' }, 'Sign-in providers'),
    h('p', { class: 'muted' }, 'Accounts at other services you can log in with.'),
    listArea,
  );
  section.hidden = true;

  async function load(): Promise<void> {
    let identities: Identity[];
    let available: Provider[];
    try {
      [identities, available] = await Promise.all([http.ok(http.api.GET('/api/users/me/identities')), loadProviders()]);
    } catch (err) {
      if (!ctx.isCurrent() || (err instanceof ApiError && err.sessionLost)) return;
      section.hidden = false;
      replace(listArea, h('div', { class: 'alert alert-error', role: 'alert' }, err instanceof Error ? err.message : 'Could not load linked accounts.'));
      return;
    }
    if (!ctx.isCurrent()) return;
    // Nothing to show on a service without providers, unless an old link remains.
    section.hidden = identities.length === 0 && available.length === 0;
    const nameOf = (id: string) => available.find((provider) => provider.id === id)?.name ?? id;
    replace(
      listArea,
      identities.length === 0
        ? h('p', { class: 'muted' }, 'None linked. Use “Continue with …” on the login page to link one with the same verified email address.')
        : h('ul', { class: 'link-list identities' }, identities.map((identity) => item(identity, nameOf(identity.provider)))),
    );
  }

  function item(identity: Identity, name: string): HTMLElement {
    const remove = h(
      'button',
      { type: 'button', class: 'btn btn-danger-outline btn-sm', onclick: () => void unlink(identity, name, remove) },
      'Unlink',
      srOnly(` ${name}`),
    );
    return h(
      'li',
      { 'data-provider': identity.provider, class: 'identity' },
      h('strong', null, name),
      h('span', { class: 'muted identity-meta' }, identity.email ? ` · ${identity.email}` : '', ' · linked ', timeEl(identity.linkedAt), ' '),
      remove,
    );
  }

  async function unlink(identity: Identity, name: string, btn: HTMLButtonElement): Promise<void> {
    btn.setAttribute('aria-disabled', 'true');
    try {
      await session.withFreshLogin(
        () => http.ok(http.api.DELETE('/api/users/me/identities/{provider}', { params: { path: { provider: identity.provider } } })),
        'Unlinking a sign-in provider is a sensitive change.',
      );
      toast(`${name} was unlinked.`);
    } catch (err) {
      btn.removeAttribute('aria-disabled');
      if (err instanceof session.ReauthCancelled || (err instanceof ApiError && err.sessionLost)) return;
      if (!(err instanceof ApiError && err.status === 404)) {
        toast(err instanceof Error ? err.message : 'Could not unlink the provider.', 'error');
        return;
      }
    }
    await load();
  }

  void load();
  return section;
}
