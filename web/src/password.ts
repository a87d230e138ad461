import * as http from './api.js';
import { card, h, pageHeader, replace, toast } from './dom.js';
import { Form, textField } from './forms.js';
import type { ViewContext } from './router.js';
import * as session from './session.js';

export function passwordView(ctx: ViewContext): void {
  const me = session.user();
  const form = new Form(
    'password',
    [
      h('input', { type: 'text', name: 'username', autocomplete: 'username', value: me?.username ?? '', hidden: true, readonly: true, tabindex: -1 }),
      textField('password', { name: 'currentPassword', label: 'Current password', type: 'password', autocomplete: 'current-password', required: true }),
      textField('password', {
        name: 'newPassword',
        label: 'New password',
        type: 'password',
        autocomplete: 'new-password',
        required: true,
        hint: 'At least 15 characters, not a common password, and not containing your username.',
        attrs: { maxlength: 128 },
      }),
      textField('password', { name: 'confirmPassword', label: 'Repeat new password', type: 'password', autocomplete: 'new-password', required: true }),
    ],
    'Change password',
    async (f) => {
      const currentPassword = f.value('currentPassword');
      const newPassword = f.value('newPassword');
      if (newPassword !== f.value('confirmPassword')) {
        f.showFieldErrors({ confirmPassword: ['The new passwords do not match.'] }, []);
        return;
      }
      try {
        await session.withFreshLogin(
          () => http.api<void>('PUT', '/api/users/me/password', { body: { currentPassword, newPassword }, retry: false }),
          'Changing your password is a sensitive action.',
        );
      } catch (err) {
        if (err instanceof session.ReauthCancelled) {
          f.showAlert(['Your password was not changed: the confirmation was cancelled.'], 'info');
          return;
        }
        f.showError(err);
        return;
      }
      f.el.reset();
      (f.control('username') as HTMLInputElement).value = me?.username ?? '';
      f.showAlert(['Password changed. You stay logged in here; every other device was logged out.'], 'success');
      toast('Password changed.');
      f.alert.focus();
    },
    { label: 'Change password' },
  );

  replace(
    ctx.root,
    h(
      'div',
      { class: 'narrow' },
      pageHeader('Change password', 'Use a long passphrase you do not use anywhere else.'),
      card(form.el),
    ),
  );
}
