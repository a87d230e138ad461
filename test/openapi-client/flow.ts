// The whole flow through a client generated from the served OpenAPI document: types by
// openapi-typescript (default options) into generated/schema.d.ts, calls by openapi-fetch.
// test/openapi-client.e2e-spec.ts generates the types, compiles this file with `tsc --strict`
// and runs it against a live app. Excluded from the project's tsconfig: the types exist only then.
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/schema.js';

type Author = components['schemas']['AuthorResponseDto'];
type ErrorBody = components['schemas']['ErrorResponseDto'];

export interface FlowResult {
  username: string;
  createdAuthor: Author;
  listedTotal: number;
  duplicateError: ErrorBody;
  afterLogoutStatus: number;
}

function fail(step: string, status: number, error: unknown): never {
  throw new Error(`${step}: ${status} ${JSON.stringify(error)}`);
}

export async function runFlow(baseUrl: string, username: string, password: string): Promise<FlowResult> {
  const client = createClient<paths>({ baseUrl });

  const registered = await client.POST('/api/auth/register', { body: { username, password, name: 'Ada Lovelace' } });
  if (!registered.data) fail('register', registered.response.status, registered.error);

  const loggedIn = await client.POST('/api/auth/login', { body: { username, password } });
  if (!loggedIn.data) fail('login', loggedIn.response.status, loggedIn.error);
  // The login's 200 is either the tokens or, with two-factor login on, a challenge.
  if ('mfaRequired' in loggedIn.data) throw new Error('login: a new account has no second factor');
  const refreshToken: string | undefined = loggedIn.data.refreshToken;
  if (!refreshToken) throw new Error('login: bearer mode must return the refresh token');

  const refreshed = await client.POST('/api/auth/refresh', { body: { refreshToken } });
  if (!refreshed.data) fail('refresh', refreshed.response.status, refreshed.error);
  const expiresIn: number = refreshed.data.expiresIn;
  const headers = { Authorization: `${refreshed.data.tokenType} ${refreshed.data.accessToken}` };

  const me = await client.GET('/api/users/me', { headers });
  if (!me.data) fail('me', me.response.status, me.error);
  if (me.data.username !== username || expiresIn <= 0) throw new Error('me: not the registered user');

  // bookerPrize may be left out: its default is not a reason to require it.
  const created = await client.POST('/api/authors', { headers, body: { name: 'Hilary Mantel', book: 'Wolf Hall', country: 'United Kingdom' } });
  if (!created.data) fail('create author', created.response.status, created.error);
  const id = created.data.id;

  const duplicate = await client.POST('/api/authors', { headers, body: { name: 'Hilary Mantel', book: 'Wolf Hall', country: 'United Kingdom' } });
  // Error bodies are typed too: message is a string or a list of them.
  if (!duplicate.error) throw new Error('create author twice: expected 409');
  const duplicateMessage: string | string[] = duplicate.error.message;

  const listed = await client.GET('/api/authors', { headers, params: { query: { limit: 10, sort: 'name', bookerPrize: 'false' } } });
  if (!listed.data) fail('list authors', listed.response.status, listed.error);

  const read = await client.GET('/api/authors/{id}', { headers, params: { path: { id } } });
  if (!read.data) fail('get author', read.response.status, read.error);

  const replaced = await client.PUT('/api/authors/{id}', {
    headers,
    params: { path: { id } },
    body: { name: 'Hilary Mantel', book: 'Bring Up the Bodies', country: 'United Kingdom', bookerPrize: true },
  });
  if (!replaced.data) fail('replace author', replaced.response.status, replaced.error);

  const patched = await client.PATCH('/api/authors/{id}', { headers, params: { path: { id } }, body: { country: 'England' } });
  if (!patched.data) fail('update author', patched.response.status, patched.error);

  const deleted = await client.DELETE('/api/authors/{id}', { headers, params: { path: { id } } });
  if (deleted.response.status !== 204) fail('delete author', deleted.response.status, deleted.error);

  const loggedOut = await client.POST('/api/auth/logout', { headers });
  if (loggedOut.response.status !== 204) fail('logout', loggedOut.response.status, loggedOut.error);

  const afterLogout = await client.GET('/api/users/me', { headers });
  return {
    username: me.data.username,
    createdAuthor: created.data,
    listedTotal: listed.data.total,
    duplicateError: { ...duplicate.error, message: duplicateMessage },
    afterLogoutStatus: afterLogout.response.status,
  };
}
