import { browserSupportsWebAuthn, startAuthentication, startRegistration, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import * as http from './api.js';
import { ApiError, type Schemas } from './api.js';
import { card, h, replace, spinner, srOnly, timeEl, toast } from './dom.js';
import { Form, textField } from './forms.js';
import type { ViewContext } from './router.js';
import * as session from './session.js';

type Passkey = Schemas['PasskeyResponseDto'];

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

// The document types WebAuthn's JSON (options, responses) as free-form objects: their shape is
// the WebAuthn specification's, which @simplewebauthn/browser types.

/** Usernameless: the browser offers the passkeys it holds for this site. */
export async function signInWithPasskey(): Promise<void> {
  const { challengeId, options } = await http.ok(http.publicApi.POST('/api/auth/passkeys/authentication/options'));
  const response = await startAuthentication({ optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON });
  await http.passkeyLogin(challengeId, { ...response });
  await session.loadMe();
}

/** The account page's Passkeys card: list, add with a name, remove. */
export function passkeysCard(ctx: ViewContext): HTMLElement {
  const listArea = h('div', { 'aria-live': 'polite' }, spinner('Loading passkeys…'));
  const form = new Form(
    'passkey',
    [textField('passkey', { name: 'name', label: 'Name', hint: 'Which device or password manager holds it, e.g. “Laptop”.', attrs: { maxlength: 64 } })],
    'Add a passkey',
    async (f) => {
      const name = f.value('name').trim();
      try {
        await session.withFreshLogin(async () => {
          const options = await http.ok(http.api.POST('/api/auth/passkeys/registration/options'));
          const response = { ...(await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON })) };
          await http.ok(http.api.POST('/api/auth/passkeys/registration', { body: name ? { response, name } : { response } }));
        }, 'Adding a passkey is a sensitive change.');
      } catch (err) {
        if (err instanceof session.ReauthCancelled) return;
        // The browser's own refusals (cancelled, timed out, already registered) come as DOMExceptions.
        if (!(err instanceof ApiError)) {
          f.showFieldErrors({}, [err instanceof Error ? err.message : 'The passkey was not created.']);
          return;
        }
        f.showError(err);
        return;
      }
      (f.control('name') as HTMLInputElement).value = '';
      toast('Passkey added.');
      await load();
    },
    { label: 'Add a passkey' },
  );

  async function load(): Promise<void> {
    let passkeys: Passkey[];
    try {
      passkeys = await http.ok(http.api.GET('/api/auth/passkeys'));
    } catch (err) {
      if (!ctx.isCurrent() || (err instanceof ApiError && err.sessionLost)) return;
      replace(listArea, h('div', { class: 'alert alert-error', role: 'alert' }, err instanceof Error ? err.message : 'Could not load passkeys.'));
      return;
    }
    if (!ctx.isCurrent()) return;
    replace(
      listArea,
      passkeys.length === 0
        ? h('p', { class: 'muted' }, 'No passkeys yet.')
        : h('ul', { class: 'link-list passkeys' }, passkeys.map(item)),
    );
  }

  function item(passkey: Passkey): HTMLElement {
    const remove = h(
      'button',
      { type: 'button', class: 'btn btn-danger-outline btn-sm', onclick: () => void removePasskey(passkey, remove) },
      'Remove',
      srOnly(` ${passkey.name}`),
    );
    return h(
      'li',
      { 'data-passkey-id': passkey.id },
      h('strong', null, passkey.name),
      h('span', { class: 'muted' }, ' · added ', timeEl(passkey.createdAt), ' · last used ', passkey.lastUsedAt ? timeEl(passkey.lastUsedAt) : 'never', ' '),
      remove,
    );
  }

  async function removePasskey(passkey: Passkey, btn: HTMLButtonElement): Promise<void> {
    btn.setAttribute('aria-disabled', 'true');
    try {
      await session.withFreshLogin(
        () => http.ok(http.api.DELETE('/api/auth/passkeys/{id}', { params: { path: { id: passkey.id } } })),
        'Removing a passkey is a sensitive change.',
      );
      toast(`${passkey.name} was removed.`);
    } catch (err) {
      btn.removeAttribute('aria-disabled');
      if (err instanceof session.ReauthCancelled || (err instanceof ApiError && err.sessionLost)) return;
      if (!(err instanceof ApiError && err.status === 404)) {
        toast(err instanceof Error ? err.message : 'Could not remove the passkey.', 'error');
        return;
      }
    }
    await load();
  }

  void load();
  return card(
    h('h2', { class: 'card-title', id: 'passkeys-title' }, 'Passkeys'),
    h('p', { class: 'muted' }, 'Log in without a password, with your device’s screen lock or a security key.'),
    listArea,
    passkeysSupported() ? form.el : h('p', { class: 'muted' }, 'This browser cannot create passkeys.'),
  );
}
