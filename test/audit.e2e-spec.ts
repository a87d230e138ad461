import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { bearer, login, registerUser, type TestUser } from './support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from './support/test-app.js';

interface AuditItem {
  id: string;
  at: string;
  action: string;
  actorId: string | null;
  targetId: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

describe('audit log', () => {
  let t: TestApp;
  let admin: TestUser;
  let member: TestUser;
  let pendingId: string;
  let deletedId: string;

  const audit = (query = '', token = admin.accessToken) => t.http().get(`/api/audit${query}`).set(bearer(token));
  const patch = (id: string, body: object) => t.http().patch(`/api/users/${id}`).set(bearer(admin.accessToken)).send(body);

  beforeAll(async () => {
    const username = uniqueName('admin');
    const password = strongPassword();
    t = await createTestApp({ env: { ADMIN_USERNAME: username, ADMIN_PASSWORD: password, REQUIRE_APPROVAL: 'true' } });
    const tokens = await login(t, username, password);
    const me = await t.http().get('/api/users/me').set(bearer(tokens.accessToken));
    admin = { id: me.body.id, username, password, ...tokens };

    // Every admin action once, in a known order.
    pendingId = (await registerUser(t)).id;
    expect((await patch(pendingId, { status: 'active' })).status).toBe(200); // user.approved
    const memberAccount = await registerUser(t);
    expect((await patch(memberAccount.id, { status: 'active' })).status).toBe(200); // user.approved
    member = { ...memberAccount, ...(await login(t, memberAccount.username, memberAccount.password)) };
    expect((await patch(pendingId, { status: 'disabled' })).status).toBe(200); // user.disabled
    expect((await patch(pendingId, { status: 'active' })).status).toBe(200); // user.enabled
    expect((await patch(pendingId, { role: 'admin' })).status).toBe(200); // user.role_changed
    expect((await patch(pendingId, { role: 'user' })).status).toBe(200); // user.role_changed
    deletedId = (await registerUser(t)).id;
    expect((await t.http().delete(`/api/users/${deletedId}`).set(bearer(admin.accessToken))).status).toBe(204); // user.deleted
    // A failed login, recorded by the auth service.
    expect((await t.http().post('/api/auth/login').send({ username: member.username, password: strongPassword() })).status).toBe(401);
  });
  afterAll(() => t.close());

  it('answers 401 without a token and 403 to a user', async () => {
    const anonymous = await t.http().get('/api/audit');
    expect(anonymous.status).toBe(401);
    const asUser = await audit('', member.accessToken);
    expect(asUser.status).toBe(403);
    expect(asUser.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('lists every admin action with its actor, target, client address and detail, newest first', async () => {
    const response = await audit();
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ total: 8, page: 1, limit: 20 });
    const items: AuditItem[] = response.body.items;
    expect(items.map((item) => item.action)).toEqual([
      'login.failed',
      'user.deleted',
      'user.role_changed',
      'user.role_changed',
      'user.enabled',
      'user.disabled',
      'user.approved',
      'user.approved',
    ]);
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['action', 'actorId', 'at', 'detail', 'id', 'ip', 'targetId']);
      expect(item.ip).toMatch(/127\.0\.0\.1|::1/);
    }
    const [failed, deleted, demoted, promoted, enabled, disabled, approvedMember, approved] = items;
    expect(failed).toMatchObject({ actorId: null, targetId: member.id, detail: { username: member.username } });
    expect(deleted).toMatchObject({ actorId: admin.id, targetId: deletedId, detail: { role: 'user' } });
    expect(demoted).toMatchObject({ actorId: admin.id, targetId: pendingId, detail: { from: 'admin', to: 'user' } });
    expect(promoted).toMatchObject({ actorId: admin.id, targetId: pendingId, detail: { from: 'user', to: 'admin' } });
    expect(enabled).toMatchObject({ actorId: admin.id, targetId: pendingId, detail: { from: 'disabled', to: 'active' } });
    expect(disabled).toMatchObject({ actorId: admin.id, targetId: pendingId, detail: { from: 'active', to: 'disabled' } });
    expect(approvedMember).toMatchObject({ actorId: admin.id, targetId: member.id, detail: { from: 'pending', to: 'active' } });
    expect(approved).toMatchObject({ actorId: admin.id, targetId: pendingId, detail: { from: 'pending', to: 'active' } });

    const times = items.map((item) => Date.parse(item.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('records nothing for a change that changes nothing, nor for a refused one', async () => {
    expect((await patch(member.id, { status: 'active', role: 'user' })).status).toBe(200);
    expect((await patch(admin.id, { role: 'user' })).status).toBe(409);
    expect((await audit()).body.total).toBe(8);
  });

  it('filters by action and by actor, and pages without overlap', async () => {
    const roleChanges = await audit('?action=user.role_changed');
    expect(roleChanges.status).toBe(200);
    expect(roleChanges.body.total).toBe(2);
    expect(roleChanges.body.items.every((item: AuditItem) => item.action === 'user.role_changed')).toBe(true);

    const byAdmin = await audit(`?actorId=${admin.id}`);
    expect(byAdmin.body.total).toBe(7);
    expect(byAdmin.body.items.every((item: AuditItem) => item.actorId === admin.id)).toBe(true);

    const combined = await audit(`?actorId=${admin.id}&action=user.approved`);
    expect(combined.body.items.map((item: AuditItem) => item.targetId)).toEqual([member.id, pendingId]);
    expect((await audit(`?actorId=${member.id}`)).body).toMatchObject({ total: 0, items: [] });
    expect((await audit('?action=user.nothing')).body).toMatchObject({ total: 0, items: [] });

    const all = (await audit()).body.items.map((item: AuditItem) => item.id);
    const first = await audit('?limit=3&page=1');
    const second = await audit('?limit=3&page=2');
    expect(first.body).toMatchObject({ total: 8, page: 1, limit: 3 });
    expect([...first.body.items, ...second.body.items].map((item: AuditItem) => item.id)).toEqual(all.slice(0, 6));
  });

  it.each(['actorId=not-a-uuid', `action=${'a'.repeat(65)}`, 'limit=500', 'targetId=' + randomUUID()])('rejects ?%s with 400', async (query) => {
    const response = await audit(`?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('records a refresh-token reuse', async () => {
    const victim = await registerAndLoginApproved();
    const first = await t.http().post('/api/auth/refresh').set(bearer(victim.refreshToken));
    expect(first.status).toBe(200);
    expect((await t.http().post('/api/auth/refresh').set(bearer(victim.refreshToken))).status).toBe(401);
    const reused = await audit('?action=refresh.reused');
    expect(reused.body.items).toHaveLength(1);
    expect(reused.body.items[0]).toMatchObject({ action: 'refresh.reused', actorId: victim.id });
  });

  it('publishes every action it can record as the AuditAction enum of the OpenAPI document (the web client reads it there)', async () => {
    const document = (await t.http().get('/docs-json')).body;
    const actions: string[] = document.components.schemas.AuditAction.enum;
    expect([...actions].sort()).toEqual(
      [
        'email.changed',
        'email.verified',
        'login.failed',
        'login.locked',
        'passkey.added',
        'passkey.removed',
        'passkey.counter_regressed',
        'password.failed',
        'password.reset',
        'password.reset_requested',
        'refresh.reused',
        'user.approved',
        'user.deleted',
        'user.disabled',
        'user.enabled',
        'user.role_changed',
        'user.status_changed',
        'mfa.enabled',
        'mfa.disabled',
        'mfa.reset',
        'mfa.failed',
        'mfa.recovery_used',
        'mfa.recovery_regenerated',
        'oidc.linked',
        'oidc.unlinked',
        'oidc.failed',
      ].sort(),
    );
    // Every action this suite caused is in the published list.
    const recorded: string[] = (await audit('?limit=100')).body.items.map((item: AuditItem) => item.action);
    expect(recorded.length).toBeGreaterThan(0);
    for (const action of recorded) expect(actions).toContain(action);
  });

  /** With REQUIRE_APPROVAL on, a new account needs the admin's approval before it can log in. */
  async function registerAndLoginApproved(): Promise<TestUser> {
    const account = await registerUser(t);
    expect((await patch(account.id, { status: 'active' })).status).toBe(200);
    return { ...account, ...(await login(t, account.username, account.password)) };
  }
});
