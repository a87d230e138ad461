// The account's "Two-factor login" section: set-up with a QR code or the manual key,
// confirmation with a code, recovery codes (copy, download), new codes, and turning it off.

import * as http from './api.js';
import { ApiError, type Schemas, type User } from './api.js';
import { badge, button, card, h, replace, toast } from './dom.js';
import { Form, textField } from './forms.js';
import * as session from './session.js';

const SENSITIVE = 'Changing two-factor login is a sensitive action.';

export function twoFactorCard(): HTMLElement {
  const body = h('div', { class: 'two-factor', id: 'two-factor' });
  const status = h('span', { id: 'two-factor-status' });
  const section = card(h('h2', { class: 'card-title' }, 'Two-factor login ', status), body);
  render(session.user());
  return section;

  function showStatus(on: boolean): void {
    replace(status, on ? badge('on', 'success') : badge('off', 'neutral'));
  }

  /** `focusAction`: after Cancel, Done or turning off, keyboard focus moves to the card's first button instead of falling back to the page. */
  function render(me: User | null, focusAction = false): void {
    const on = me?.mfaEnabled === true;
    showStatus(on);
    if (on) {
      replace(
        body,
        h('p', null, 'Logging in asks for a code from your authenticator app after your password.'),
        h(
          'div',
          { class: 'row-actions' },
          button('New recovery codes', () => void newCodes(), { small: true, attrs: { id: 'two-factor-new-codes' } }),
          button('Turn off', () => confirmOff(), { variant: 'danger', small: true, attrs: { id: 'two-factor-off' } }),
        ),
      );
    } else {
      replace(
        body,
        h('p', null, 'Protect your account with a code from an authenticator app (such as Aegis, Google Authenticator or 1Password) in addition to your password.'),
        button('Set up two-factor login', () => void startSetup(), { variant: 'primary', small: true, attrs: { id: 'two-factor-setup' } }),
      );
    }
    if (focusAction) body.querySelector<HTMLButtonElement>('button')?.focus();
  }

  function failed(err: unknown, what: string): void {
    if (err instanceof session.ReauthCancelled) return;
    if (err instanceof ApiError && err.sessionLost) return;
    toast(err instanceof Error ? err.message : what, 'error');
  }

  async function startSetup(): Promise<void> {
    let setup: Schemas['TotpSetupDto'];
    try {
      setup = await session.withFreshLogin(() => http.ok(http.apiNoRetry.POST('/api/auth/mfa/totp/setup')), SENSITIVE);
    } catch (err) {
      failed(err, 'Could not start the set-up.');
      return;
    }
    const confirmForm = new Form(
      'two-factor-confirm',
      [
        textField('two-factor-confirm', {
          name: 'code',
          label: 'Code from the app',
          autocomplete: 'one-time-code',
          required: true,
          hint: 'The 6-digit code your app shows for this account.',
          attrs: { inputmode: 'numeric', maxlength: 6, pattern: '[0-9]{6}' },
        }),
      ],
      'Turn on',
      async (f) => {
        let codes: string[];
        try {
          const answer = await session.withFreshLogin(
            () => http.ok(http.apiNoRetry.POST('/api/auth/mfa/totp/confirm', { body: { code: f.value('code').trim() } })),
            SENSITIVE,
          );
          codes = answer.recoveryCodes;
        } catch (err) {
          if (err instanceof ApiError && err.status === 400) {
            f.showFieldErrors({ code: ['That code is not correct. Check the app and try the current code.'] }, []);
            return;
          }
          failed(err, 'Could not turn two-factor login on.');
          return;
        }
        showStatus((await session.loadMe()).mfaEnabled);
        showCodes(codes, 'Two-factor login is on. Keep these recovery codes somewhere safe: each one works once, if you lose your phone.');
      },
      { label: 'Confirm two-factor set-up', extraActions: button('Cancel', () => render(session.user(), true), { variant: 'ghost' }) },
    );
    replace(
      body,
      h('p', null, 'Scan this QR code with your authenticator app, then enter the code it shows.'),
      h('img', { src: setup.qrCode, alt: 'QR code for your authenticator app', width: 200, height: 200, class: 'qr-code', id: 'two-factor-qr' }),
      h('p', null, 'Cannot scan? Enter this key by hand:'),
      h('p', null, h('code', { id: 'two-factor-secret', class: 'manual-key' }, setup.secret.replace(/(.{4})/g, '$1 ').trim())),
      confirmForm.el,
    );
    confirmForm.control('code').focus();
  }

  function showCodes(codes: string[], intro: string): void {
    const text = codes.join('\n') + '\n';
    const download = h(
      'a',
      {
        class: 'btn btn-secondary btn-sm',
        download: 'recovery-codes.txt',
        href: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`,
      },
      'Download',
    );
    const introAlert = h('div', { class: 'alert alert-success', role: 'status', tabindex: '-1' }, intro);
    replace(
      body,
      introAlert,
      h('ul', { class: 'recovery-codes', id: 'recovery-codes' }, codes.map((code) => h('li', null, h('code', null, code)))),
      h(
        'div',
        { class: 'row-actions' },
        button(
          'Copy',
          () =>
            void navigator.clipboard.writeText(text).then(
              () => toast('Recovery codes copied.'),
              () => toast('Could not copy; select the codes instead.', 'error'),
            ),
          { small: true },
        ),
        download,
        button('Done', () => render(session.user(), true), { variant: 'primary', small: true, attrs: { id: 'recovery-codes-done' } }),
      ),
    );
    // The form or button that was focused is gone: the codes' introduction takes focus, so it is read out.
    introAlert.focus();
  }

  async function newCodes(): Promise<void> {
    try {
      const answer = await session.withFreshLogin(() => http.ok(http.apiNoRetry.POST('/api/auth/mfa/recovery-codes')), SENSITIVE);
      showCodes(answer.recoveryCodes, 'Your new recovery codes. The old ones no longer work.');
    } catch (err) {
      failed(err, 'Could not make new recovery codes.');
    }
  }

  function confirmOff(): void {
    const yes = button('Yes, turn off', () => void turnOff(), { variant: 'danger', small: true, attrs: { id: 'two-factor-off-confirm' } });
    replace(
      body,
      h(
        'div',
        { class: 'confirm', role: 'group', 'aria-label': 'Confirm turning two-factor login off' },
        h('p', null, 'Logging in will need only your password again, and your recovery codes stop working.'),
        h('div', { class: 'confirm-actions' }, yes, button('Cancel', () => render(session.user(), true), { variant: 'ghost', small: true })),
      ),
    );
    yes.focus();
  }

  async function turnOff(): Promise<void> {
    try {
      await session.withFreshLogin(() => http.ok(http.apiNoRetry.DELETE('/api/auth/mfa/totp')), SENSITIVE);
    } catch (err) {
      failed(err, 'Could not turn two-factor login off.');
      return;
    }
    render(await session.loadMe(), true);
    toast('Two-factor login is off.');
  }
}
