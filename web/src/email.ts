// Email verification and account recovery pages: forgot password, reset password, verify
// email, the account's email settings, the "unverified address" banner and the admin's
// "copy a reset link" action. The API routes are in API.md "Email: verification and account recovery".

import * as http from './api.js';
import { ApiError, type Schemas, type User } from './api.js';
import { button, card, h, pageHeader, replace, toast } from './dom.js';
import { Form, textField } from './forms.js';
import type { ViewContext } from './router.js';
import * as session from './session.js';

/** The email field of the sign-up form. */
export function signUpEmailField(formId: string): HTMLElement {
  return textField(formId, {
    name: 'email',
    label: 'Email',
    type: 'email',
    autocomplete: 'email',
    hint: 'For a verification link, and to reset your password if you forget it.',
    attrs: { maxlength: 254, autocapitalize: 'none' },
  });
}

/** The "Forgot password?" link under the login form. */
export function forgotPasswordLink(): HTMLElement {
  return h('p', { class: 'card-footer muted' }, h('a', { href: '/forgot-password' }, 'Forgot password?'));
}

export function forgotPasswordView(ctx: ViewContext): void {
  const form = new Form(
    'forgot',
    [textField('forgot', { name: 'email', label: 'Email', type: 'email', autocomplete: 'email', required: true, attrs: { maxlength: 254, autocapitalize: 'none' } })],
    'Send reset link',
    async (f) => {
      let answer: Schemas['ForgotPasswordResponseDto'];
      try {
        answer = await http.ok(http.publicApi.POST('/api/auth/password/forgot', { body: { email: f.value('email').trim() } }));
      } catch (err) {
        f.showError(err);
        return;
      }
      f.showAlert([answer.message, 'The link works once and expires soon. Check your spam folder if nothing arrives.'], 'success');
      f.alert.focus();
    },
    { label: 'Forgot password' },
  );
  replace(
    ctx.root,
    h(
      'div',
      { class: 'narrow' },
      pageHeader('Forgot your password?', 'Enter the email address of your account and we will mail you a link to choose a new password.'),
      card(form.el, h('p', { class: 'card-footer muted' }, h('a', { href: '/login' }, 'Back to log in'))),
    ),
  );
}

export function resetPasswordView(ctx: ViewContext): void {
  const token = ctx.params.get('token') ?? '';
  // The token must not linger in the address bar or the history once the page has it.
  ctx.replaceParams(new URLSearchParams());
  if (!token) {
    showInvalidLink(ctx.root, 'This reset link is incomplete.', '/forgot-password', 'Ask for a new link');
    return;
  }
  const form = new Form(
    'reset',
    [
      textField('reset', {
        name: 'newPassword',
        label: 'New password',
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        hint: 'At least 15 characters, not a common password, and not containing your username.',
        attrs: { maxlength: 128 },
      }),
      textField('reset', { name: 'confirmPassword', label: 'Repeat new password', type: 'password', autocomplete: 'new-password', required: true }),
    ],
    'Set new password',
    async (f) => {
      const newPassword = f.value('newPassword');
      if (newPassword !== f.value('confirmPassword')) {
        f.showFieldErrors({ confirmPassword: ['The passwords do not match.'] }, []);
        return;
      }
      try {
        await http.ok(http.publicApi.POST('/api/auth/password/reset', { body: { token, newPassword } }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 400 && /link/i.test(err.message)) {
          showInvalidLink(ctx.root, 'This reset link is invalid, already used or expired.', '/forgot-password', 'Ask for a new link');
          return;
        }
        f.showError(err);
        return;
      }
      session.dropSession();
      ctx.navigate('/login', { text: 'Your password is set and every session was signed out. Log in with the new password.', kind: 'success' });
    },
    { label: 'Reset password' },
  );
  replace(ctx.root, h('div', { class: 'narrow' }, pageHeader('Choose a new password', 'Setting it signs you out on every device.'), card(form.el)));
}

export async function verifyEmailView(ctx: ViewContext): Promise<void> {
  const token = ctx.params.get('token') ?? '';
  ctx.replaceParams(new URLSearchParams());
  replace(ctx.root, h('div', { class: 'narrow' }, pageHeader('Verifying your email address…')));
  try {
    if (!token) throw new ApiError(400, ['Incomplete link']);
    await http.ok(http.publicApi.POST('/api/auth/email/verify', { body: { token } }));
  } catch (err) {
    if (!ctx.isCurrent()) return;
    if (err instanceof ApiError && err.status === 400) {
      const me = session.user();
      showInvalidLink(ctx.root, 'This verification link is invalid, already used or expired.', me ? '/email' : '/login', me ? 'Send a new link' : 'Log in');
      return;
    }
    throw err;
  }
  if (!ctx.isCurrent()) return;
  if (session.user()) await session.loadMe().catch(() => undefined);
  refreshEmailBanner();
  replace(
    ctx.root,
    h(
      'div',
      { class: 'narrow' },
      pageHeader('Email address verified'),
      card(
        h('div', { class: 'alert alert-success', role: 'status', id: 'verify-result' }, 'Thank you: your email address is verified.'),
        h('p', null, h('a', { class: 'btn btn-primary', href: session.user() ? '/dashboard' : '/login' }, session.user() ? 'Go to the dashboard' : 'Log in')),
      ),
    ),
  );
}

/** The account's email settings: the address, whether it is verified, change it, resend the link. */
export function emailSettingsView(ctx: ViewContext): void {
  const me = session.user();
  const status = h('div', { id: 'email-status' });
  const resend: HTMLButtonElement = button('Resend verification email', () => void resendVerification(resend), { attrs: { id: 'email-resend' } });
  const showStatus = (user: User | null) => {
    if (!user?.email) {
      replace(status, h('p', null, 'Your account has no email address yet. Add one to be able to reset a forgotten password.'));
      return;
    }
    replace(
      status,
      h('p', null, 'Your address: ', h('strong', { id: 'email-current' }, user.email), ' ', user.emailVerified ? '(verified)' : '(not verified yet)'),
      user.emailVerified ? null : h('p', null, resend),
    );
  };
  showStatus(me);

  const form = new Form(
    'email',
    [textField('email', { name: 'email', label: 'New email address', type: 'email', autocomplete: 'email', required: true, attrs: { maxlength: 254, autocapitalize: 'none' } })],
    'Change email',
    async (f) => {
      const email = f.value('email').trim();
      // Checked before the password prompt: asking for the password only to refuse the address after it is a wasted step.
      const input = f.control('email') as HTMLInputElement;
      if (!input.validity.valid) {
        f.showFieldErrors({ email: ['Enter a valid email address, such as ada@example.com.'] }, []);
        return;
      }
      let updated: User;
      try {
        updated = await session.withFreshLogin(
          () => http.ok(http.apiNoRetry.PUT('/api/users/me/email', { body: { email } })),
          'Changing your email address is a sensitive action.',
        );
      } catch (err) {
        if (err instanceof session.ReauthCancelled) {
          f.showAlert(['Your address was not changed: the confirmation was cancelled.'], 'info');
          return;
        }
        f.showError(err, { 409: { email: 'Another account uses this address.' } });
        return;
      }
      session.setUser(updated);
      showStatus(updated);
      refreshEmailBanner();
      f.el.reset();
      f.showAlert([`We sent a verification link to ${updated.email}, and a notice to your previous address.`], 'success');
      f.alert.focus();
    },
    { label: 'Change email' },
  );

  async function resendVerification(btn: HTMLButtonElement): Promise<void> {
    btn.disabled = true;
    try {
      await http.ok(http.apiNoRetry.POST('/api/users/me/email/verification'));
      toast('A new verification link is on its way.');
    } catch (err) {
      const text = err instanceof ApiError && err.status === 429 ? 'Too many mails to this address: try again later.' : 'Could not send the mail.';
      toast(text, 'error');
    } finally {
      btn.disabled = false;
    }
  }

  replace(ctx.root, h('div', { class: 'narrow' }, pageHeader('Email', 'The address for verification and password recovery.'), card(status, form.el)));
}

/** Shown above every page while the signed-in user's address is not verified. */
export function refreshEmailBanner(): void {
  const me = session.user();
  let banner = document.getElementById('email-banner');
  if (!me?.email || me.emailVerified) {
    banner?.remove();
    return;
  }
  if (!banner) {
    banner = h('div', { id: 'email-banner', class: 'container' });
    document.getElementById('main')?.prepend(banner);
  }
  replace(
    banner,
    h('div', { class: 'alert alert-info' }, `Please verify your email address ${me.email}: follow the link we mailed you. `, h('a', { href: '/email' }, 'Resend or change it')),
  );
}

/** The admin's action for deployments without mail: a one-time reset link, copied to the clipboard. */
export function copyResetLinkButton(user: User): HTMLButtonElement {
  const btn: HTMLButtonElement = button('Copy reset link', () => void copyResetLink(), { variant: 'ghost', small: true });
  btn.dataset['resetFor'] = user.username;
  async function copyResetLink(): Promise<void> {
    btn.disabled = true;
    try {
      const link = await session.withFreshLogin(
        () => http.ok(http.apiNoRetry.POST('/api/users/{id}/password-reset', { params: { path: { id: user.id } } })),
        'Issuing a password reset link is a sensitive action.',
      );
      btn.dataset['resetUrl'] = link.resetUrl;
      try {
        await navigator.clipboard.writeText(link.resetUrl);
        toast(`Reset link for ${user.username} copied. It works once, until ${new Date(link.expiresAt).toLocaleTimeString()}.`);
      } catch {
        window.prompt(`Reset link for ${user.username} (works once):`, link.resetUrl);
      }
    } catch (err) {
      if (!(err instanceof session.ReauthCancelled)) toast(err instanceof ApiError ? err.message : 'Could not issue a reset link.', 'error');
    } finally {
      btn.disabled = false;
    }
  }
  return btn;
}

/** Replaces the page with "Link not valid"; its heading takes focus, as on a page change, so the news is read out. */
function showInvalidLink(root: HTMLElement, text: string, href: string, action: string): void {
  const page = h(
    'div',
    { class: 'narrow' },
    pageHeader('Link not valid'),
    card(h('div', { class: 'alert alert-error', role: 'alert' }, text), h('p', null, h('a', { class: 'btn btn-primary', href }, action))),
  );
  replace(root, page);
  page.querySelector<HTMLElement>('h1')?.focus();
}
