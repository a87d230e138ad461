import * as http from './api.js';
import { type User } from './api.js';
import { badge, card, h, pageHeader, replace, timeEl, toast } from './dom.js';
import { Form, textField } from './forms.js';
import type { ViewContext } from './router.js';
import { identitiesCard } from './oidc.js';
import { passkeysCard } from './passkeys.js';
import * as session from './session.js';
import { twoFactorCard } from './two-factor.js';

export function statusBadge(status: User['status']): HTMLElement {
  return badge(status, status === 'active' ? 'success' : status === 'pending' ? 'warning' : 'danger');
}

export function roleBadge(role: User['role']): HTMLElement {
  return badge(role, role === 'admin' ? 'accent' : 'neutral');
}

export async function dashboardView(ctx: ViewContext): Promise<void> {
  const notice = ctx.takeNotice();
  const profileBody = h('div', { class: 'profile' });
  const countEl = h('p', { class: 'stat-value' }, '…');
  const nameForm = new Form(
    'profile',
    [textField('profile', { name: 'name', label: 'Display name', autocomplete: 'name', attrs: { maxlength: 100 } })],
    'Save name',
    async (f) => {
      const updated = await http.ok(http.api.PATCH('/api/users/me', { body: { name: f.value('name').trim() } }));
      session.setUser(updated);
      typing = false;
      renderProfile(updated);
      toast('Your name was saved.');
    },
    { class: 'form form-inline', label: 'Edit display name' },
  );

  let typing = false;
  nameForm.control('name').addEventListener('input', () => (typing = true));
  const deleteArea = h('div', { class: 'danger-zone' });
  renderDeleteButton();

  replace(
    ctx.root,
    pageHeader('Dashboard', 'Your account at a glance.'),
    notice ? h('div', { class: `alert alert-${notice.kind}`, role: 'status' }, notice.text) : null,
    h(
      'div',
      { class: 'grid grid-2' },
      card(h('h2', { class: 'card-title' }, 'Profile'), profileBody, h('h3', { class: 'subhead' }, 'Edit your name'), nameForm.el),
      h(
        'div',
        { class: 'stack' },
        card(
          h('h2', { class: 'card-title' }, 'Your authors'),
          countEl,
          h('p', null, h('a', { class: 'btn btn-primary', href: '/authors' }, 'Manage authors')),
        ),
        card(
          h('h2', { class: 'card-title' }, 'Security'),
          h(
            'ul',
            { class: 'link-list' },
            h('li', null, h('a', { href: '/password' }, 'Change your password')),
            h('li', null, h('a', { href: '/sessions' }, 'See where you are logged in')),
            session.isAdmin() ? h('li', null, h('a', { href: '/admin' }, 'Administration')) : null,
          ),
          deleteArea,
        ),
        passkeysCard(ctx),
        identitiesCard(ctx),
        twoFactorCard(),
      ),
    ),
  );

  function renderProfile(me: User): void {
    replace(
      profileBody,
      h(
        'div',
        { class: 'profile-head' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, (me.name || me.username).charAt(0).toUpperCase()),
        h('div', null, h('p', { class: 'profile-name' }, me.name || me.username), h('p', { class: 'muted' }, `@${me.username}`)),
      ),
      h(
        'dl',
        { class: 'details' },
        h('div', null, h('dt', null, 'Username'), h('dd', { 'data-testid': 'profile-username' }, me.username)),
        h('div', null, h('dt', null, 'Name'), h('dd', { 'data-testid': 'profile-name' }, me.name || '—')),
        h('div', null, h('dt', null, 'Role'), h('dd', null, roleBadge(me.role))),
        h('div', null, h('dt', null, 'Status'), h('dd', null, statusBadge(me.status))),
        h('div', null, h('dt', null, 'Member since'), h('dd', null, timeEl(me.createdAt, false))),
        h('div', null, h('dt', null, 'Last login'), h('dd', null, timeEl(me.lastLoginAt))),
      ),
    );
    // The profile loads after the page shows: never overwrite what the user started typing,
    // nor a field they are in (a keystroke landing after this would append to the old name).
    const input = nameForm.control('name') as HTMLInputElement;
    if (!typing && document.activeElement !== input) input.value = me.name ?? '';
  }

  function renderDeleteButton(): void {
    replace(
      deleteArea,
      h('button', { type: 'button', class: 'btn btn-danger-outline btn-sm', onclick: askDelete }, 'Delete my account'),
    );
  }

  function askDelete(): void {
    const yes = h('button', { type: 'button', class: 'btn btn-danger btn-sm', onclick: doDelete }, 'Yes, delete my account');
    replace(
      deleteArea,
      h(
        'div',
        { class: 'confirm', role: 'group', 'aria-label': 'Confirm account deletion' },
        h('p', null, 'This deletes your account, your authors and all your sessions. It cannot be undone.'),
        h('div', { class: 'confirm-actions' }, yes, h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => { renderDeleteButton(); focusFirstButton(deleteArea); } }, 'Cancel')),
      ),
    );
    yes.focus();
  }

  async function doDelete(): Promise<void> {
    try {
      await session.withFreshLogin(() => http.ok(http.apiNoRetry.DELETE('/api/users/me')), 'Deleting your account is a sensitive action.');
      session.dropSession();
      ctx.navigate('/login', { text: 'Your account was deleted.', kind: 'info' });
    } catch (err) {
      if (err instanceof session.ReauthCancelled) return;
      if (err instanceof http.ApiError && err.sessionLost) return;
      toast(err instanceof Error ? err.message : 'Could not delete the account.', 'error');
    }
  }

  try {
    const me = await session.loadMe();
    if (!ctx.isCurrent()) return;
    renderProfile(me);
  } catch (err) {
    if (!ctx.isCurrent() || (err instanceof http.ApiError && err.sessionLost)) return;
    replace(profileBody, h('div', { class: 'alert alert-error', role: 'alert' }, err instanceof Error ? err.message : 'Could not load your profile.'));
  }
  try {
    const page = await http.ok(http.api.GET('/api/authors', { params: { query: { limit: 1 } } }));
    if (!ctx.isCurrent()) return;
    replace(countEl, String(page.total), h('span', { class: 'stat-label' }, page.total === 1 ? ' author' : ' authors'));
  } catch {
    replace(countEl, '—');
  }
}

function focusFirstButton(area: HTMLElement): void {
  area.querySelector('button')?.focus();
}
