import * as http from './api.js';
import { ApiError } from './api.js';
import { card, h, pageHeader, replace, toast } from './dom.js';
import { Form, textField } from './forms.js';
import { MIN_LENGTH } from './password-field.js';
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
        hint: `At least ${MIN_LENGTH} characters, not a common password, and not containing your username.`,
        attrs: { maxlength: 128 },
        strength: () => [me?.username ?? '', me?.name ?? ''],
      }),
      textField('password', { name: 'confirmPassword', label: 'Repeat new password', type: 'password', autocomplete: 'new-password', required: true }),
    ],
    'Change password',
    async (f) => {
      const currentPassword = f.value('currentPassword');
      const newPassword = f.value('newPassword');
      // Everything the form can check itself comes first, before any password prompt or request.
      const errors: Record<string, string[]> = {};
      if ([...newPassword].length < MIN_LENGTH) errors['newPassword'] = [`New password must be at least ${MIN_LENGTH} characters long.`];
      if (newPassword !== f.value('confirmPassword')) errors['confirmPassword'] = ['The new passwords do not match.'];
      if (Object.keys(errors).length) {
        f.showFieldErrors(errors, []);
        return;
      }
      try {
        // The route needs a fresh login. The current password typed here is that
        // confirmation: log in with it rather than asking for it a second time.
        // With two-factor login on, that takes a code as well: the dialog below asks for both.
        if (!session.hasFreshToken() && !withSecondFactor()) await session.freshLogin(currentPassword);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          f.showFieldErrors({ currentPassword: ['The current password is not correct.'] }, []);
          return;
        }
        f.showError(err);
        return;
      }
      try {
        const change = () => http.ok(http.apiNoRetry.PUT('/api/users/me/password', { body: { currentPassword, newPassword } }));
        await (withSecondFactor() ? session.withFreshLogin(change, 'Changing your password is a sensitive action.') : change());
      } catch (err) {
        if (err instanceof session.ReauthCancelled) return;
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

function withSecondFactor(): boolean {
  return session.user()?.mfaEnabled === true;
}
