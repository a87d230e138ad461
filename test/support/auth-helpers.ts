import type { TestApp } from './test-app.js';
import { strongPassword, uniqueName } from './test-app.js';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerUser(t: TestApp, username = uniqueName(), password = strongPassword()) {
  const response = await t.http().post('/api/auth/register').send({ username, password });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id as string, username, password };
}

export async function login(t: TestApp, username: string, password: string) {
  const response = await t.http().post('/api/auth/login').send({ username, password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { accessToken: string; refreshToken: string };
}

export async function registerAndLogin(t: TestApp, username?: string): Promise<TestUser> {
  const user = await registerUser(t, username);
  return { ...user, ...(await login(t, user.username, user.password)) };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
