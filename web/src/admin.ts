import * as http from './api.js';
import { ApiError, type Query, type Schemas, type User } from './api.js';
import { roleBadge, statusBadge } from './dashboard.js';
import { copyResetLinkButton } from './email.js';
import { badge, emptyState, h, pageHeader, replace, spinner, srOnly, timeEl, toast } from './dom.js';
import { Form, selectField, textField } from './forms.js';
import type { ViewContext } from './router.js';
import * as session from './session.js';

const USERS_PAGE = 10;
const AUDIT_PAGE = 15;

/**
 * The audit actions the server can record, read from its OpenAPI document (the AuditAction
 * enum) so this list cannot drift from the server's. Without the document (DOCS_ENABLED=false)
 * the filter offers only "All actions".
 */
async function auditActions(): Promise<string[]> {
  try {
    const res = await fetch('/docs-json', { credentials: 'same-origin' });
    if (!res.ok) return [];
    const doc = (await res.json()) as { components?: { schemas?: { AuditAction?: { enum?: unknown } } } };
    const values = doc.components?.schemas?.AuditAction?.enum;
    return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string') : [];
  } catch {
    return [];
  }
}

export function adminView(ctx: ViewContext): void {
  const names = new Map<string, string>();
  const me = session.user();
  if (me) names.set(me.id, me.username);

  const pendingArea = h('div', { 'aria-live': 'polite' }, spinner('Loading pending accounts…'));
  const pendingCount = h('span', { class: 'count' });
  const usersArea = h('div', null, spinner('Loading users…'));
  const usersMeta = h('p', { class: 'list-meta', 'aria-live': 'polite' });
  const usersPager = h('nav', { class: 'pager', 'aria-label': 'Users pages' });
  const auditArea = h('div', null, spinner('Loading audit log…'));
  const auditPager = h('nav', { class: 'pager', 'aria-label': 'Audit log pages' });

  let usersState: { page: number; q: string; status: '' | NonNullable<Query<'/api/users'>['status']> } = { page: 1, q: '', status: '' };
  let auditState = { page: 1, action: '' };

  const userFilters = new Form(
    'user-filters',
    [
      textField('user-filters', { name: 'q', label: 'Search users', type: 'search', attrs: { placeholder: 'Username or name' } }),
      selectField('user-filters', {
        name: 'status',
        label: 'Status',
        options: [
          ['', 'Any'],
          ['active', 'Active'],
          ['pending', 'Pending'],
          ['disabled', 'Disabled'],
        ],
      }),
    ],
    'Apply',
    async (f) => {
      usersState = { page: 1, q: f.value('q').trim(), status: f.value('status') as typeof usersState.status };
      await loadUsers();
    },
    { class: 'form filters', label: 'Filter users' },
  );
  userFilters.el.setAttribute('role', 'search');
  // A choice from a list takes effect at once, as on the authors page.
  userFilters.control('status').addEventListener('change', () => userFilters.el.requestSubmit());

  const auditFilters = new Form(
    'audit-filters',
    [
      selectField('audit-filters', {
        name: 'action',
        label: 'Action',
        options: [['', 'All actions']],
      }),
    ],
    'Apply',
    async (f) => {
      auditState = { page: 1, action: f.value('action') };
      await loadAudit();
    },
    { class: 'form filters', label: 'Filter audit log' },
  );
  void auditActions().then((actions) => {
    auditFilters.el.querySelector('select[name="action"]')?.append(...actions.map((a) => h('option', { value: a }, a)));
  });

  replace(
    ctx.root,
    pageHeader('Administration', 'Approve new accounts, manage users and review security events.'),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'pending-title' },
      h('h2', { class: 'card-title', id: 'pending-title' }, 'Pending approvals ', pendingCount),
      pendingArea,
    ),
    h('section', { class: 'card', 'aria-labelledby': 'users-title' }, h('h2', { class: 'card-title', id: 'users-title' }, 'Users'), userFilters.el, usersMeta, usersArea, usersPager),
    h('section', { class: 'card', 'aria-labelledby': 'audit-title' }, h('h2', { class: 'card-title', id: 'audit-title' }, 'Audit log'), auditFilters.el, auditArea, auditPager),
  );

  function failed(area: HTMLElement, err: unknown, what: string): void {
    if (!ctx.isCurrent() || (err instanceof ApiError && err.sessionLost)) return;
    replace(area, h('div', { class: 'alert alert-error', role: 'alert' }, err instanceof Error ? err.message : `Could not load ${what}.`));
  }

  function focusById(id: string): void {
    const el = document.getElementById(id);
    if (el) {
      el.setAttribute('tabindex', '-1');
      el.focus();
    }
  }

  async function patchUser(user: User, body: Schemas['UpdateUserDto']): Promise<User> {
    // The server wants a fresh login for a role change and for any status but active (disabling, or back to pending).
    const sensitive = body.role !== undefined || (body.status !== undefined && body.status !== 'active');
    const call = () => http.ok((sensitive ? http.apiNoRetry : http.api).PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body }));
    const reason =
      body.role !== undefined
        ? 'Changing a role is a sensitive action.'
        : body.status === 'disabled'
          ? 'Disabling an account is a sensitive action.'
          : 'Taking an account back to pending is a sensitive action.';
    return sensitive ? session.withFreshLogin(call, reason) : call();
  }

  function reportError(err: unknown, fallback: string): void {
    if (err instanceof session.ReauthCancelled) {
      toast('Nothing was changed.', 'info');
      return;
    }
    if (err instanceof ApiError && err.sessionLost) return;
    toast(err instanceof Error && err.message ? err.message : fallback, 'error');
  }

  // ---- Pending approvals ----------------------------------------------------------

  async function loadPending(): Promise<void> {
    let data: Schemas['UserPageDto'];
    try {
      data = await http.ok(http.api.GET('/api/users', { params: { query: { status: 'pending', limit: 100 } } }));
    } catch (err) {
      failed(pendingArea, err, 'pending accounts');
      return;
    }
    if (!ctx.isCurrent()) return;
    for (const u of data.items) names.set(u.id, u.username);
    pendingCount.replaceChildren(data.total ? badge(String(data.total), 'warning') : '');
    if (data.total === 0) {
      replace(pendingArea, emptyState('All caught up', 'No accounts are waiting for approval.'));
      return;
    }
    replace(
      pendingArea,
      h(
        'ul',
        { class: 'pending-list' },
        data.items.map((u) => {
          const approve = h('button', { type: 'button', class: 'btn btn-primary btn-sm', onclick: () => void decide(u, 'active', approve) }, 'Approve', srOnly(` ${u.username}`));
          const decline = h('button', { type: 'button', class: 'btn btn-danger-outline btn-sm', onclick: () => void decide(u, 'disabled', decline) }, 'Decline', srOnly(` ${u.username}`));
          return h(
            'li',
            { class: 'pending-item', 'data-username': u.username },
            h('div', null, h('p', { class: 'strong' }, u.username), h('p', { class: 'muted' }, u.name ? `${u.name} · ` : '', 'signed up ', timeEl(u.createdAt))),
            h('div', { class: 'row-actions' }, approve, decline),
          );
        }),
      ),
    );
  }

  async function decide(u: User, status: 'active' | 'disabled', btn: HTMLButtonElement): Promise<void> {
    btn.setAttribute('aria-disabled', 'true');
    try {
      await patchUser(u, { status });
    } catch (err) {
      btn.removeAttribute('aria-disabled');
      reportError(err, 'Could not update the account.');
      return;
    }
    toast(status === 'active' ? `${u.username} was approved.` : `${u.username} was declined and disabled.`);
    await Promise.all([loadPending(), loadUsers(), loadAudit()]);
    focusById('pending-title');
  }

  // ---- Users ------------------------------------------------------------------------

  async function loadUsers(): Promise<void> {
    let data: Schemas['UserPageDto'];
    try {
      data = await http.ok(http.api.GET('/api/users', { params: { query: { page: usersState.page, limit: USERS_PAGE, q: usersState.q, status: usersState.status || undefined } } }));
    } catch (err) {
      failed(usersArea, err, 'users');
      return;
    }
    if (!ctx.isCurrent()) return;
    for (const u of data.items) names.set(u.id, u.username);
    const pages = Math.max(1, Math.ceil(data.total / data.limit));
    if (data.items.length === 0 && usersState.page > 1 && data.total > 0) {
      usersState.page = pages;
      return loadUsers();
    }
    if (data.total === 0) {
      usersMeta.textContent = 'No users match.';
      replace(usersArea, emptyState('No users found', 'Try another search.'));
      usersPager.replaceChildren();
      return;
    }
    const from = (data.page - 1) * data.limit + 1;
    usersMeta.textContent = `Showing ${from}–${from + data.items.length - 1} of ${data.total} users.`;
    replace(
      usersArea,
      h(
        'table',
        { class: 'table' },
        h('caption', { class: 'sr-only' }, 'Users'),
        h('thead', null, h('tr', null, ['User', 'Role', 'Status', 'Joined', 'Last login'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Actions')))),
        h('tbody', null, data.items.map(userRow)),
      ),
    );
    renderPager(usersPager, data.page, pages, (p) => {
      usersState.page = p;
      void loadUsers().then(() => focusById('users-title'));
    });
  }

  function userRow(u: User): HTMLElement {
    const roleId = `role-${u.id}`;
    const statusId = `status-${u.id}`;
    const role = h(
      'select',
      { id: roleId, name: 'role' },
      (['user', 'admin'] as const).map((r) => h('option', { value: r, selected: u.role === r }, r)),
    );
    const status = h(
      'select',
      { id: statusId, name: 'status' },
      (['active', 'pending', 'disabled'] as const).map((s) => h('option', { value: s, selected: u.status === s }, s)),
    );
    const save = h('button', { type: 'button', class: 'btn btn-primary btn-sm', hidden: true, onclick: () => void saveRow() }, 'Save', srOnly(` ${u.username}`));
    const del = h('button', { type: 'button', class: 'btn btn-danger-outline btn-sm', onclick: () => confirmDelete() }, 'Delete', srOnly(` ${u.username}`));
    const resetMfa = u.mfaEnabled
      ? h('button', { type: 'button', class: 'btn btn-secondary btn-sm', onclick: () => confirmResetMfa() }, 'Reset two-factor', srOnly(` for ${u.username}`))
      : null;
    const copy = copyResetLinkButton(u);
    const actions = h('div', { class: 'row-actions' }, save, copy, resetMfa, del);
    const onChange = () => {
      save.hidden = role.value === u.role && status.value === u.status;
    };
    role.addEventListener('change', onChange);
    status.addEventListener('change', onChange);

    async function saveRow(): Promise<void> {
      const body: Schemas['UpdateUserDto'] = {};
      if (role.value !== u.role) body.role = role.value as User['role'];
      if (status.value !== u.status) body.status = status.value as User['status'];
      if (!body.role && !body.status) return;
      save.setAttribute('aria-disabled', 'true');
      try {
        const updated = await patchUser(u, body);
        toast(`${u.username} was updated.`);
        if (updated.id === me?.id) {
          const fresh = await session.loadMe();
          if (fresh.role !== 'admin') {
            ctx.navigate('/dashboard', { text: 'You are no longer an administrator.', kind: 'info' });
            return;
          }
        }
      } catch (err) {
        save.removeAttribute('aria-disabled');
        reportError(err, 'Could not update the user.');
        return;
      }
      await Promise.all([loadPending(), loadUsers(), loadAudit()]);
      focusById('users-title');
    }

    function confirmResetMfa(): void {
      const yes = h('button', { type: 'button', class: 'btn btn-danger btn-sm', onclick: () => void doResetMfa(yes) }, 'Yes, reset', srOnly(` two-factor for ${u.username}`));
      const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => { replace(actions, save, resetMfa, del); resetMfa?.focus(); } }, 'Cancel');
      replace(
        actions,
        h('div', { class: 'confirm-inline', role: 'group', 'aria-label': `Reset two-factor login of ${u.username}?` }, h('span', { class: 'confirm-text' }, 'Remove their authenticator app and recovery codes?'), yes, cancel),
      );
      yes.focus();
    }

    async function doResetMfa(btn: HTMLButtonElement): Promise<void> {
      btn.setAttribute('aria-disabled', 'true');
      try {
        await session.withFreshLogin(
          () => http.ok(http.apiNoRetry.DELETE('/api/users/{id}/mfa', { params: { path: { id: u.id } } })),
          'Resetting a user’s two-factor login is a sensitive action.',
        );
      } catch (err) {
        btn.removeAttribute('aria-disabled');
        reportError(err, 'Could not reset two-factor login.');
        return;
      }
      toast(`Two-factor login of ${u.username} was reset.`);
      await Promise.all([loadUsers(), loadAudit()]);
      focusById('users-title');
    }

    function confirmDelete(): void {
      const yes = h('button', { type: 'button', class: 'btn btn-danger btn-sm', onclick: () => void doDelete(yes) }, 'Yes, delete', srOnly(` ${u.username}`));
      const cancel = h('button', { type: 'button', class: 'btn btn-ghost btn-sm', onclick: () => { replace(actions, save, copy, resetMfa, del); del.focus(); } }, 'Cancel');
      replace(actions, h('div', { class: 'confirm-inline', role: 'group', 'aria-label': `Delete ${u.username}?` }, h('span', { class: 'confirm-text' }, 'Delete user and their authors?'), yes, cancel));
      yes.focus();
    }

    async function doDelete(btn: HTMLButtonElement): Promise<void> {
      btn.setAttribute('aria-disabled', 'true');
      try {
        await session.withFreshLogin(() => http.ok(http.apiNoRetry.DELETE('/api/users/{id}', { params: { path: { id: u.id } } })), 'Deleting a user is a sensitive action.');
      } catch (err) {
        btn.removeAttribute('aria-disabled');
        reportError(err, 'Could not delete the user.');
        return;
      }
      toast(`${u.username} was deleted.`);
      if (u.id === me?.id) {
        session.dropSession();
        ctx.navigate('/login', { text: 'Your account was deleted.', kind: 'info' });
        return;
      }
      await Promise.all([loadPending(), loadUsers(), loadAudit()]);
      focusById('users-title');
    }

    return h(
      'tr',
      { 'data-username': u.username },
      h('th', { scope: 'row', 'data-label': 'User' }, h('span', { class: 'strong' }, u.username), u.id === me?.id ? badge('you', 'accent') : null, u.name ? h('span', { class: 'muted block' }, u.name) : null),
      h('td', { 'data-label': 'Role' }, h('label', { for: roleId, class: 'sr-only' }, `Role of ${u.username}`), role, ' ', h('span', { class: 'sr-only' }, 'currently '), h('span', { class: 'current-value' }, roleBadge(u.role))),
      h('td', { 'data-label': 'Status' }, h('label', { for: statusId, class: 'sr-only' }, `Status of ${u.username}`), status, ' ', h('span', { class: 'sr-only' }, 'currently '), h('span', { class: 'current-value' }, statusBadge(u.status))),
      h('td', { 'data-label': 'Joined' }, timeEl(u.createdAt, false)),
      h('td', { 'data-label': 'Last login' }, timeEl(u.lastLoginAt)),
      h('td', { class: 'actions', 'data-label': 'Actions' }, actions),
    );
  }

  // ---- Audit log -------------------------------------------------------------------

  function who(id: string | null): Node {
    if (!id) return document.createTextNode('—');
    const name = names.get(id);
    return name ? h('span', { title: id }, name) : h('code', { title: id }, id.slice(0, 8));
  }

  /** An event's detail as a person reads it: "Reason: wrong password", not raw JSON. */
  function detailView(detail: unknown): Node {
    if (detail == null || detail === '') return document.createTextNode('—');
    if (typeof detail !== 'object') return document.createTextNode(String(detail));
    const entries = Array.isArray(detail) ? detail.map((v, i): [string, unknown] => [String(i + 1), v]) : Object.entries(detail);
    if (entries.length === 0) return document.createTextNode('—');
    return h(
      'dl',
      { class: 'detail-list' },
      entries.map(([key, value]) => [h('dt', null, `${humanize(key)}:`), h('dd', null, detailValue(key, value))]),
    );
  }

  function detailValue(key: string, value: unknown): Node | string {
    if (value == null) return '—';
    // The audit log keeps detail values as text, so a flag arrives as "true" or "false".
    if (typeof value === 'boolean' || value === 'true' || value === 'false') return value === true || value === 'true' ? 'yes' : 'no';
    if (typeof value === 'string' && /id$/i.test(key) && /^[0-9a-f-]{36}$/i.test(value)) return who(value);
    if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return timeEl(value);
    if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${humanize(k)}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
    return String(value);
  }

  function humanize(key: string): string {
    const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ').toLowerCase();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function actionTone(action: string): 'danger' | 'warning' | 'success' | 'neutral' {
    if (/failed|locked|reused|disabled|deleted/.test(action)) return action.startsWith('user.') ? 'warning' : 'danger';
    if (/approved|created/.test(action)) return 'success';
    return 'neutral';
  }

  async function loadAudit(): Promise<void> {
    let data: Schemas['AuditPageDto'];
    try {
      data = await http.ok(http.api.GET('/api/audit', { params: { query: { page: auditState.page, limit: AUDIT_PAGE, action: auditState.action } } }));
    } catch (err) {
      failed(auditArea, err, 'the audit log');
      return;
    }
    if (!ctx.isCurrent()) return;
    const pages = Math.max(1, Math.ceil(data.total / data.limit));
    if (data.total === 0) {
      replace(auditArea, emptyState('No events', auditState.action ? 'No events of this kind yet.' : 'Nothing has been recorded yet.'));
      auditPager.replaceChildren();
      return;
    }
    replace(
      auditArea,
      h(
        'table',
        { class: 'table table-compact' },
        h('caption', { class: 'sr-only' }, 'Audit events, newest first'),
        h('thead', null, h('tr', null, ['When', 'Action', 'Actor', 'Target', 'IP', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
        h(
          'tbody',
          null,
          data.items.map((e) =>
            h(
              'tr',
              null,
              h('td', { 'data-label': 'When' }, timeEl(e.at)),
              h('td', { 'data-label': 'Action' }, badge(e.action, actionTone(e.action))),
              h('td', { 'data-label': 'Actor' }, who(e.actorId)),
              h('td', { 'data-label': 'Target' }, who(e.targetId)),
              h('td', { 'data-label': 'IP' }, e.ip ?? '—'),
              h('td', { 'data-label': 'Detail', class: 'detail' }, detailView(e.detail)),
            ),
          ),
        ),
      ),
    );
    renderPager(auditPager, data.page, pages, (p) => {
      auditState.page = p;
      void loadAudit().then(() => focusById('audit-title'));
    });
  }

  function renderPager(pager: HTMLElement, page: number, pages: number, go: (p: number) => void): void {
    if (pages <= 1) {
      pager.replaceChildren();
      return;
    }
    replace(
      pager,
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: page <= 1, onclick: () => go(page - 1) }, '← Previous', srOnly(' page')),
      h('span', { class: 'pager-status' }, `Page ${page} of ${pages}`),
      h('button', { type: 'button', class: 'btn btn-secondary btn-sm', disabled: page >= pages, onclick: () => go(page + 1) }, 'Next', srOnly(' page'), ' →'),
    );
  }

  void (async () => {
    // Users first so the audit log can show names instead of ids.
    await Promise.all([loadPending(), loadUsers()]);
    await loadAudit();
  })();
}
