import * as http from './api.js';
import { ApiError, type User } from './api.js';
import { card, h, pageHeader, replace } from './dom.js';
import { forgotPasswordLink, signUpEmailField } from './email.js';
import { Form, textField } from './forms.js';
import type { ViewContext } from './router.js';
import { oidcButtons, oidcErrorMessage, takePendingSecondStep } from './oidc.js';
import { passkeysSupported, signInWithPasskey } from './passkeys.js';
import * as session from './session.js';

export function loginView(ctx: ViewContext): void {
  // A failed provider sign-in comes back as /login?error=<code>.
  const oidcError = oidcErrorMessage(ctx.params.get('error'));
  if (oidcError) ctx.replaceParams(new URLSearchParams());
  const notice = oidcError ? { text: oidcError, kind: 'error' as const } : ctx.takeNotice();
  const returnTo = ctx.takeReturnTo();
  const form = new Form(
    'login',
    [
      textField('login', { name: 'username', label: 'Username', autocomplete: 'username', required: true, hint: 'Or the email address of your account.', attrs: { autocapitalize: 'none' } }),
      textField('login', { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', required: true }),
    ],
    'Log in',
    async (f) => {
      try {
        const outcome = await session.signIn(f.value('username').trim(), f.value('password'));
        if ('mfaRequired' in outcome) {
          secondStep(outcome.mfaToken);
          return;
        }
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 429)) {
          // Wrong credentials, pending/disabled account, lockout: about the whole form.
          f.showFieldErrors({}, err.messages);
          if (err.status === 401) (f.control('password') as HTMLInputElement).value = '';
          return;
        }
        throw err;
      }
      ctx.navigate(returnTo ?? '/dashboard');
    },
    { label: 'Log in' },
  );
  /** The first factor (password or provider) was right; the account wants its second factor before it opens. */
  function secondStep(mfaToken: string, next = returnTo ?? '/dashboard'): void {
    const codeForm = new Form(
      'mfa',
      [
        textField('mfa', {
          name: 'code',
          label: 'Authentication code',
          autocomplete: 'one-time-code',
          required: true,
          hint: 'Enter the 6-digit code from your authenticator app. Lost your phone? Enter one of your recovery codes instead.',
          attrs: { autocapitalize: 'none', spellcheck: 'false', maxlength: 64 },
        }),
      ],
      'Verify',
      async (f) => {
        try {
          await session.completeSignIn(mfaToken, f.value('code'));
        } catch (err) {
          if (err instanceof ApiError && err.status === 401 && /mfaToken/.test(err.message)) {
            // Too many wrong codes, or it took too long: the password step starts over.
            ctx.navigate('/login', { text: 'That sign-in attempt has expired. Please log in again.', kind: 'info' });
            return;
          }
          if (err instanceof ApiError && (err.status === 400 || err.status === 401 || err.status === 429)) {
            f.showFieldErrors({ code: [err.status === 429 ? err.messages.join(' ') : 'That code is not correct.'] }, []);
            (f.control('code') as HTMLInputElement).value = '';
            return;
          }
          throw err;
        }
        ctx.navigate(next);
      },
      { label: 'Two-factor verification' },
    );
    replace(
      formCard,
      h('h2', { class: 'card-title' }, 'Two-factor verification'),
      h('p', { class: 'muted' }, 'Your account is protected by an authenticator app.'),
      codeForm.el,
      h('p', { class: 'card-footer muted' }, h('a', { href: '/login', onclick: (event: Event) => { event.preventDefault(); ctx.navigate('/login'); } }, 'Start over')),
    );
    codeForm.control('code').focus();
  }

  let formCard!: HTMLElement;
  replace(
    ctx.root,
    h(
      'div',
      { class: 'auth-layout' },
      h(
        'div',
        { class: 'auth-intro' },
        h('h1', { tabindex: -1 }, 'Welcome back'),
        h('p', { class: 'muted' }, 'Log in to manage your authors, your sessions and your account.'),
      ),
      (formCard = card(
        notice ? h('div', { class: `alert alert-${notice.kind}`, role: 'status' }, notice.text) : null,
        h('h2', { class: 'card-title' }, 'Log in'),
        form.el,
        passkeyButton(ctx, returnTo),
        oidcButtons(returnTo),
        forgotPasswordLink(),
        h('p', { class: 'card-footer muted' }, 'New here? ', h('a', { href: '/register' }, 'Create an account')),
      )),
    ),
  );
  const pending = takePendingSecondStep();
  if (pending) secondStep(pending.mfaToken, pending.returnTo);
}

export function registerView(ctx: ViewContext): void {
  // The meter is built before the form exists; it reads these fields when it scores.
  const registerUsername = () => (document.getElementById('register-username') as HTMLInputElement | null)?.value ?? '';
  const registerName = () => (document.getElementById('register-name') as HTMLInputElement | null)?.value ?? '';
  const form = new Form(
    'register',
    [
      textField('register', {
        name: 'username',
        label: 'Username',
        autocomplete: 'username',
        required: true,
        hint: '3–32 characters: letters, digits, dot, underscore or hyphen.',
        attrs: { autocapitalize: 'none', maxlength: 32 },
      }),
      textField('register', { name: 'name', label: 'Display name', autocomplete: 'name', attrs: { maxlength: 100 } }),
      signUpEmailField('register'),
      textField('register', {
        name: 'password',
        label: 'Password',
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        hint: 'At least 15 characters. A few unusual words make a strong, memorable passphrase.',
        attrs: { maxlength: 128 },
        strength: () => [registerUsername(), registerName()],
      }),
      textField('register', { name: 'confirmPassword', label: 'Repeat password', type: 'password', autocomplete: 'new-password', required: true }),
    ],
    'Create account',
    async (f) => {
      const password = f.value('password');
      if (password !== f.value('confirmPassword')) {
        f.showFieldErrors({ confirmPassword: ['The passwords do not match.'] }, []);
        return;
      }
      const username = f.value('username').trim();
      const name = f.value('name').trim();
      const email = f.value('email').trim();
      let created: User;
      try {
        created = await http.ok(
          http.publicApi.POST('/api/auth/register', {
            body: { username, password, ...(name ? { name } : {}), ...(email ? { email } : {}) },
          }),
        );
      } catch (err) {
        f.showError(err, { 409: /email/i.test(err instanceof ApiError ? err.message : '') ? { email: 'Another account uses this address.' } : { username: 'Username already taken.' } });
        return;
      }
      if (created.status === 'active') {
        try {
          await session.signIn(username, password);
          ctx.navigate('/dashboard', { text: `Welcome, ${created.name || created.username}! Your account is ready.`, kind: 'success' });
          return;
        } catch {
          // Fall through to the confirmation below; the user can log in by hand.
        }
      }
      lastCreated = created;
      ctx.navigate('/welcome');
    },
    { label: 'Create account' },
  );
  replace(
    ctx.root,
    h(
      'div',
      { class: 'auth-layout' },
      h(
        'div',
        { class: 'auth-intro' },
        h('h1', { tabindex: -1 }, 'Create your account'),
        h('p', { class: 'muted' }, 'Keep a list of your favourite authors and the books that made them.'),
      ),
      card(
        h('h2', { class: 'card-title' }, 'Sign up'),
        form.el,
        oidcButtons(null),
        h('p', { class: 'card-footer muted' }, 'Already have an account? ', h('a', { href: '/login' }, 'Log in')),
      ),
    ),
  );
}

let lastCreated: User | null = null;

/** After sign-up: explains what happens next (approval, or log in). */
export function welcomeView(ctx: ViewContext): void {
  const created = lastCreated;
  if (!created) {
    ctx.navigate('/login');
    return;
  }
  const pending = created.status === 'pending';
  replace(
    ctx.root,
    h(
      'div',
      { class: 'narrow' },
      pageHeader(pending ? 'Account created — waiting for approval' : 'Account created'),
      card(
        h(
          'p',
          null,
          pending
            ? `Thanks, ${created.username}. An administrator needs to approve your account before you can log in. You can try logging in once you have been approved.`
            : `Thanks, ${created.username}. You can log in now.`,
        ),
        h('p', null, h('a', { class: 'btn btn-primary', href: '/login' }, 'Go to log in')),
      ),
    ),
  );
}

/** Usernameless passkey login; its errors (no passkey, refused, pending or disabled) show under the button. */
function passkeyButton(ctx: ViewContext, returnTo: string | null): HTMLElement | null {
  if (!passkeysSupported()) return null;
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'button', class: 'btn btn-secondary', id: 'passkey-login' }, 'Sign in with a passkey');
  button.addEventListener('click', async () => {
    button.setAttribute('aria-disabled', 'true');
    error.hidden = true;
    try {
      await signInWithPasskey();
      ctx.navigate(returnTo ?? '/dashboard');
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.messages.join(' ') || err.message : 'The passkey login was cancelled or failed.';
      error.hidden = false;
    } finally {
      button.removeAttribute('aria-disabled');
    }
  });
  return h('div', { class: 'passkey-login' }, button, error);
}
