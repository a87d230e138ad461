import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PasswordService } from '../../src/passwords/password.service.js';
import { registerUser } from '../support/auth-helpers.js';
import { createTestApp, uniqueName, type TestApp } from '../support/test-app.js';

const INVALID_LOGIN = { statusCode: 401, message: 'Invalid username or password', error: 'Unauthorized' };

describe('login does not reveal which accounts exist', () => {
  let t: TestApp;
  let active: { id: string; username: string; password: string };
  let pending: { id: string; username: string; password: string };
  let disabled: { id: string; username: string; password: string };

  beforeAll(async () => {
    t = await createTestApp();
    [active, pending, disabled] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    await t.dataSource.query("UPDATE users SET status = 'pending' WHERE id = ?", [pending.id]);
    await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = ?", [disabled.id]);
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const cases = () => [
    { name: 'unknown user', username: uniqueName('ghost') },
    { name: 'wrong password', username: active.username },
    { name: 'pending account, wrong password', username: pending.username },
    { name: 'disabled account, wrong password', username: disabled.username },
  ];

  it('answers the four failure cases with the same status, body and headers', async () => {
    const answers = [];
    for (const { username } of cases()) {
      const response = await t.http().post('/api/auth/login').send({ username, password: 'not-the-right-password-42' });
      answers.push({
        status: response.status,
        body: response.body,
        retryAfter: response.headers['retry-after'],
        contentType: response.headers['content-type'],
      });
    }
    expect(answers[0]).toEqual({ status: 401, body: INVALID_LOGIN, retryAfter: undefined, contentType: expect.stringContaining('application/json') });
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it('spends exactly one argon2 verification per attempt, known user or not', async () => {
    const verify = jest.spyOn(t.app.get(PasswordService), 'verify');
    for (const { name, username } of cases()) {
      verify.mockClear();
      const response = await t.http().post('/api/auth/login').send({ username, password: 'not-the-right-password-42' });
      expect({ name, status: response.status, verifications: verify.mock.calls.length }).toEqual({ name, status: 401, verifications: 1 });
    }
    verify.mockClear();
    expect((await t.http().post('/api/auth/login').send({ username: active.username, password: active.password })).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('reveals pending or disabled status only to someone who knows the password', async () => {
    const pendingAnswer = await t.http().post('/api/auth/login').send({ username: pending.username, password: pending.password });
    expect(pendingAnswer.status).toBe(403);
    expect(pendingAnswer.body).toEqual({ statusCode: 403, message: 'Account pending approval by an administrator', error: 'Forbidden' });
    const disabledAnswer = await t.http().post('/api/auth/login').send({ username: disabled.username, password: disabled.password });
    expect(disabledAnswer.status).toBe(403);
    expect(disabledAnswer.body).toEqual({ statusCode: 403, message: 'Account disabled', error: 'Forbidden' });
    const sessions: unknown[] = await t.dataSource.query('SELECT id FROM sessions WHERE user_id IN (?, ?)', [pending.id, disabled.id]);
    expect(sessions).toHaveLength(0);
  });
});
