import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { bearer, login, registerAndLogin, type TestUser } from './support/auth-helpers.js';
import { createTestApp, uniqueName, type TestApp } from './support/test-app.js';

interface AuthorBody {
  id: string;
  name: string;
  book: string;
  country: string;
  bookerPrize: boolean;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
}

const DUPLICATE = { statusCode: 409, message: 'An author with this name and book already exists', error: 'Conflict' };
const NOT_FOUND = { statusCode: 404, message: 'Author not found', error: 'Not Found' };

describe('authors', () => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    [alice, bob, admin] = await Promise.all([registerAndLogin(t), registerAndLogin(t), registerAndLogin(t)]);
    // Admin routes are someone else's work: promote directly. The role is read per request,
    // so the token minted before the promotion already carries it.
    await t.dataSource.query(`UPDATE users SET role = 'admin' WHERE id = ?`, [admin.id]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (user: TestUser, body: object) => t.http().post('/api/authors').set(bearer(user.accessToken)).send(body);
  const get = (user: TestUser, path: string) => t.http().get(path).set(bearer(user.accessToken));

  async function createOk(user: TestUser, body: Partial<AuthorBody>): Promise<AuthorBody> {
    const response = await create(user, { country: 'Nowhere', ...body });
    if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async function rowOf(id: string) {
    const rows: Array<Record<string, unknown>> = await t.dataSource.query(
      'SELECT name, book, country, booker_prize, owner_id, name_search, book_search FROM authors WHERE id = ?',
      [id],
    );
    return rows[0];
  }

  async function countOwned(ownerId: string): Promise<number> {
    const rows: Array<{ count: number | string }> = await t.dataSource.query(
      'SELECT COUNT(*) AS count FROM authors WHERE owner_id = ?',
      [ownerId],
    );
    return Number(rows[0].count);
  }

  describe('POST /api/authors', () => {
    it('creates an author owned by the caller, in exactly the public shape', async () => {
      const response = await create(alice, { name: '  Hilary Mantel ', book: 'Wolf Hall', country: 'United Kingdom' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        name: 'Hilary Mantel',
        book: 'Wolf Hall',
        country: 'United Kingdom',
        bookerPrize: false,
        ownerId: alice.id,
        createdAt: expect.any(String),
        updatedAt: response.body.createdAt,
      });
      expect(new Date(response.body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(await rowOf(response.body.id)).toMatchObject({
        name: 'Hilary Mantel',
        name_search: 'hilary mantel',
        book_search: 'wolf hall',
        owner_id: alice.id,
      });
      const read = await get(alice, `/api/authors/${response.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(response.body);
    });

    it('lists every missing field', async () => {
      const response = await create(alice, {});
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('Bad Request');
      const messages: string[] = response.body.message;
      for (const field of ['name', 'book', 'country']) {
        expect(messages.some((message) => message.startsWith(field))).toBe(true);
      }
    });

    it('rejects wrong types, blank, too long and control-character values', async () => {
      const cases: Array<[object, string]> = [
        [{ name: 42, book: 'B', country: 'C' }, 'name'],
        [{ name: 'A', book: ['B'], country: 'C' }, 'book'],
        [{ name: 'A', book: 'B', country: 'C', bookerPrize: 'true' }, 'bookerPrize'],
        [{ name: 'A', book: 'B', country: 'C', bookerPrize: null }, 'bookerPrize'],
        [{ name: null, book: 'B', country: 'C' }, 'name'],
        [{ name: '   ', book: 'B', country: 'C' }, 'name'],
        [{ name: 'x'.repeat(101), book: 'B', country: 'C' }, 'name'],
        [{ name: 'A', book: 'x'.repeat(201), country: 'C' }, 'book'],
        [{ name: 'A', book: 'B', country: 'x'.repeat(61) }, 'country'],
        // 60 code points plus 60 variation selectors: 120 characters for a varchar(100).
        [{ name: 'a\uFE0F'.repeat(60), book: 'B', country: 'C' }, 'name'],
        [{ name: 'A\u0000B', book: 'B', country: 'C' }, 'name'],
        [{ name: 'A', book: 'line\nbreak', country: 'C' }, 'book'],
      ];
      for (const [body, field] of cases) {
        const response = await create(alice, body);
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
        expect((response.body.message as string[]).some((message) => message.startsWith(field))).toBe(true);
      }
      const created = await create(bob, { name: 'x'.repeat(100), book: '\u{1F4D6}'.repeat(200), country: 'y'.repeat(60) });
      expect(created.status).toBe(201);
      expect(created.body.book).toBe('\u{1F4D6}'.repeat(200));
    });

    it('rejects fields that are not writable and stores nothing', async () => {
      const before = await countOwned(alice.id);
      for (const extra of [{ ownerId: bob.id }, { id: randomUUID() }, { createdAt: '2000-01-01T00:00:00.000Z' }, { nameSearch: 'x' }]) {
        const response = await create(alice, { name: uniqueName('Mass'), book: 'B', country: 'C', ...extra });
        expect(response.status).toBe(400);
        expect(response.body.message).toEqual([`property ${Object.keys(extra)[0]} should not exist`]);
      }
      expect(await countOwned(alice.id)).toBe(before);
      expect(await countOwned(bob.id)).toBe(1);
    });

    it('answers 409 for a duplicate name and book of the same owner, ignoring letter case', async () => {
      const body = { name: 'Arundhati Roy', book: 'The God of Small Things', country: 'India', bookerPrize: true };
      expect((await create(alice, body)).status).toBe(201);
      const again = await create(alice, body);
      expect(again.status).toBe(409);
      expect(again.body).toEqual(DUPLICATE);
      const otherCase = await create(alice, { ...body, name: 'ARUNDHATI ROY', book: ' the god of small things ' });
      expect(otherCase.status).toBe(409);
      // Another owner, or another book by the same name, is not a duplicate.
      expect((await create(bob, body)).status).toBe(201);
      expect((await create(alice, { ...body, book: 'The Ministry of Utmost Happiness' })).status).toBe(201);
    });

    it('names the author clash even when the values mention users', async () => {
      const body = { name: 'Users', book: "for key 'UQ_users_username_normalized'", country: 'C' };
      expect((await create(alice, body)).status).toBe(201);
      const again = await create(alice, body);
      expect(again.status).toBe(409);
      expect(again.body).toEqual(DUPLICATE);
    });

    it('lets exactly one of 8 concurrent identical creates win', async () => {
      const body = { name: uniqueName('Race'), book: 'Concurrency', country: 'C' };
      const responses = await Promise.all(Array.from({ length: 8 }, () => create(alice, body)));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) expect(response.body).toEqual(DUPLICATE);
      const rows = await t.dataSource.query('SELECT id FROM authors WHERE owner_id = ? AND name = ?', [alice.id, body.name]);
      expect(rows).toHaveLength(1);
    });

    it('needs an access token', async () => {
      const response = await t.http().post('/api/authors').send({ name: 'A', book: 'B', country: 'C' });
      expect(response.status).toBe(401);
      expect((await t.http().get('/api/authors')).status).toBe(401);
    });
  });

  describe('GET /api/authors', () => {
    let reader: TestUser;
    let all: AuthorBody[];
    const seed = [
      { name: 'Zadie Smith', book: 'White Teeth', country: 'United Kingdom', bookerPrize: false },
      { name: 'anne Enright', book: 'The Gathering', country: 'Ireland', bookerPrize: true },
      { name: 'Kazuo Ishiguro', book: 'The Remains of the Day', country: 'Japan', bookerPrize: true },
      { name: 'Ben Okri', book: 'The Famished Road', country: 'Nigeria', bookerPrize: true },
      { name: 'Percent 100% Sure', book: 'Wild_cards', country: 'Ireland', bookerPrize: false },
      { name: 'Percent 100 Sure', book: 'Wildxcards', country: 'ireland', bookerPrize: false },
      { name: 'bang!', book: 'Escapes', country: 'Japan', bookerPrize: false },
      { name: 'ZADIE SMITH', book: 'On Beauty', country: 'United Kingdom', bookerPrize: false },
    ];

    beforeAll(async () => {
      reader = await registerAndLogin(t);
      all = [];
      // One at a time, so creation order is well defined (ties on createdAt fall back to id).
      for (const body of seed) all.push(await createOk(reader, body));
    });

    const list = async (query: string, user = reader) => {
      const response = await get(user, `/api/authors${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 200 });
      return response.body as { items: AuthorBody[]; total: number; page: number; limit: number };
    };
    const names = (items: AuthorBody[]) => items.map((author) => author.name);
    const byCreated = (a: AuthorBody, b: AuthorBody) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;

    it('shows only the caller’s authors, newest first by default', async () => {
      const page = await list('');
      expect(page).toEqual({ items: [...all].sort(byCreated).reverse(), total: seed.length, page: 1, limit: 20 });
      const other = await list('', bob);
      expect(other.items.every((author) => author.ownerId === bob.id)).toBe(true);
      expect(other.items.map((author) => author.id)).not.toEqual(expect.arrayContaining([all[0].id]));
      expect(other.total).toBe(await countOwned(bob.id));
    });

    it('pages through the list without gaps or repeats', async () => {
      const expected = [...all].sort(byCreated).map((author) => author.id);
      const seen: string[] = [];
      for (const pageNumber of [1, 2, 3]) {
        const page = await list(`?sort=createdAt&limit=3&page=${pageNumber}`);
        expect(page).toMatchObject({ total: seed.length, page: pageNumber, limit: 3 });
        seen.push(...page.items.map((author) => author.id));
      }
      expect(seen).toEqual(expected);
      expect(await list('?limit=3&page=4')).toEqual({ items: [], total: seed.length, page: 4, limit: 3 });
    });

    it('sorts by name (ignoring case, then by book) and by creation time, both directions', async () => {
      const key = (author: AuthorBody) => [author.name.toLowerCase(), author.book.toLowerCase()];
      const byName = [...all].sort((a, b) => {
        const [[x1, x2], [y1, y2]] = [key(a), key(b)];
        return x1 === y1 ? (x2 < y2 ? -1 : 1) : x1 < y1 ? -1 : 1;
      });
      expect(names((await list('?sort=name')).items)).toEqual(names(byName));
      expect(names(byName).slice(0, 3)).toEqual(['anne Enright', 'bang!', 'Ben Okri']);
      expect(names(byName).slice(-2)).toEqual(['ZADIE SMITH', 'Zadie Smith']);
      expect(names((await list('?sort=-name')).items)).toEqual(names(byName).reverse());
      const byTime = [...all].sort(byCreated);
      expect((await list('?sort=createdAt')).items).toEqual(byTime);
      expect((await list('?sort=-createdAt')).items).toEqual([...byTime].reverse());
    });

    it('filters by a case-insensitive substring of name or book, wildcards taken literally', async () => {
      expect(names((await list('?q=THE%20REMAINS')).items)).toEqual(['Kazuo Ishiguro']);
      expect(names((await list('?q=smith&sort=name')).items)).toEqual(['ZADIE SMITH', 'Zadie Smith']);
      expect(names((await list('?q=the&sort=name')).items)).toEqual(['anne Enright', 'Ben Okri', 'Kazuo Ishiguro']);
      expect(names((await list(`?q=${encodeURIComponent('100%')}`)).items)).toEqual(['Percent 100% Sure']);
      expect(names((await list('?q=d_c')).items)).toEqual(['Percent 100% Sure']);
      expect(names((await list('?q=g!')).items)).toEqual(['bang!']);
      expect((await list(`?q=${encodeURIComponent('%')}`)).total).toBe(1);
      expect(await list('?q=nothing-like-this')).toEqual({ items: [], total: 0, page: 1, limit: 20 });
      expect((await list('?q=')).total).toBe(seed.length);
    });

    it('filters by exact country and by bookerPrize, and combines filters', async () => {
      expect(names((await list('?country=Japan&sort=name')).items)).toEqual(['bang!', 'Kazuo Ishiguro']);
      expect(names((await list('?country=Jap')).items)).toEqual([]);
      const winners = await list('?bookerPrize=true&sort=name');
      expect(names(winners.items)).toEqual(['anne Enright', 'Ben Okri', 'Kazuo Ishiguro']);
      expect(winners.total).toBe(3);
      expect((await list('?bookerPrize=false')).total).toBe(5);
      const combined = await list('?bookerPrize=false&country=Japan&q=ESC');
      expect(names(combined.items)).toEqual(['bang!']);
      expect(combined.total).toBe(1);
    });

    it('rejects bad query values and unknown parameters with 400', async () => {
      for (const query of [
        '?page=0',
        '?page=abc',
        '?limit=0',
        '?limit=101',
        '?limit=2.5',
        '?sort=book',
        '?sort=-id',
        '?sort=name&sort=-name',
        '?bookerPrize=yes',
        '?bookerPrize=1',
        '?bookerPrize=',
        '?bookerPrize=true&bookerPrize=false',
        '?q=a&q=b',
        `?q=${'x'.repeat(201)}`,
        '?q=%00',
        '?ownerId=not-a-uuid',
        '?owner_id=x',
        '?name=Ben',
      ]) {
        const response = await get(reader, `/api/authors${query}`);
        expect({ query, status: response.status }).toEqual({ query, status: 400 });
        expect(response.body.error).toBe('Bad Request');
      }
    });

    it('does not let a non-admin widen the list with ownerId: it stays their own', async () => {
      const own = await get(bob, '/api/authors?limit=100');
      const response = await get(bob, `/api/authors?ownerId=${reader.id}&limit=100`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(own.body);
      expect(response.body.items.every((author: { ownerId: string }) => author.ownerId === bob.id)).toBe(true);
      expect(JSON.stringify(response.body)).not.toContain(all[0].id);
    });

    it('lets an admin list any owner’s authors', async () => {
      const page = await list(`?ownerId=${reader.id}&sort=name&limit=2`, admin);
      expect(page.total).toBe(seed.length);
      expect(names(page.items)).toEqual(['anne Enright', 'bang!']);
      expect((await list('', admin)).total).toBe(0);
      expect((await list(`?ownerId=${randomUUID()}`, admin)).total).toBe(0);
    });
  });

  describe('GET, PUT, PATCH and DELETE /api/authors/:id', () => {
    it('reads, replaces, merges and deletes the caller’s own author', async () => {
      const author = await createOk(alice, { name: 'Iris Murdoch', book: 'The Sea, the Sea', country: 'Ireland' });

      const replaced = await t
        .http()
        .put(`/api/authors/${author.id}`)
        .set(bearer(alice.accessToken))
        .send({ name: 'Dame Iris Murdoch', book: 'The Sea, the Sea', country: 'United Kingdom', bookerPrize: true });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toEqual({
        ...author,
        name: 'Dame Iris Murdoch',
        country: 'United Kingdom',
        bookerPrize: true,
        updatedAt: expect.any(String),
      });
      expect(replaced.body.updatedAt >= author.updatedAt).toBe(true);

      const patched = await t
        .http()
        .patch(`/api/authors/${author.id}`)
        .set(bearer(alice.accessToken))
        .send({ book: ' The Black Prince ' });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ ...replaced.body, book: 'The Black Prince', updatedAt: expect.any(String) });
      expect(await rowOf(author.id)).toMatchObject({ name_search: 'dame iris murdoch', book_search: 'the black prince' });
      expect((await get(alice, `/api/authors/${author.id}`)).body).toEqual(patched.body);

      const emptyPatch = await t.http().patch(`/api/authors/${author.id}`).set(bearer(alice.accessToken)).send({});
      expect(emptyPatch.status).toBe(200);
      expect(emptyPatch.body).toEqual(patched.body);

      const deleted = await t.http().delete(`/api/authors/${author.id}`).set(bearer(alice.accessToken));
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await get(alice, `/api/authors/${author.id}`)).body).toEqual(NOT_FOUND);
      expect((await t.http().delete(`/api/authors/${author.id}`).set(bearer(alice.accessToken))).status).toBe(404);
    });

    it('validates PUT as a full body and PATCH field by field', async () => {
      const author = await createOk(alice, { name: 'Penelope Fitzgerald', book: 'Offshore', country: 'UK' });
      const put = (body: object) => t.http().put(`/api/authors/${author.id}`).set(bearer(alice.accessToken)).send(body);
      const patch = (body: object) => t.http().patch(`/api/authors/${author.id}`).set(bearer(alice.accessToken)).send(body);

      const partialPut = await put({ name: 'P. Fitzgerald', book: 'Offshore', country: 'UK' });
      expect(partialPut.status).toBe(400);
      expect((partialPut.body.message as string[]).some((message) => message.startsWith('bookerPrize'))).toBe(true);
      for (const body of [{ ownerId: bob.id }, { id: randomUUID() }, { updatedAt: '2000-01-01T00:00:00Z' }, { name: null }, { country: '' }, { bookerPrize: 'false' }]) {
        const response = await patch(body);
        expect({ body, status: response.status }).toEqual({ body, status: 400 });
      }
      const withOwner = await put({ name: 'A', book: 'B', country: 'C', bookerPrize: false, ownerId: bob.id });
      expect(withOwner.status).toBe(400);
      expect(withOwner.body.message).toEqual(['property ownerId should not exist']);

      const after = await get(alice, `/api/authors/${author.id}`);
      expect(after.body).toEqual(author);
    });

    it('answers 409 when PUT or PATCH would duplicate another author, and keeps both', async () => {
      const first = await createOk(alice, { name: 'Ian McEwan', book: 'Amsterdam' });
      const second = await createOk(alice, { name: 'Ian McEwan', book: 'Atonement' });
      const patched = await t.http().patch(`/api/authors/${second.id}`).set(bearer(alice.accessToken)).send({ book: 'AMSTERDAM' });
      expect(patched.status).toBe(409);
      expect(patched.body).toEqual(DUPLICATE);
      const put = await t
        .http()
        .put(`/api/authors/${second.id}`)
        .set(bearer(alice.accessToken))
        .send({ name: 'Ian McEwan', book: 'Amsterdam', country: 'Nowhere', bookerPrize: true });
      expect(put.status).toBe(409);
      expect((await get(alice, `/api/authors/${first.id}`)).body).toEqual(first);
      expect((await get(alice, `/api/authors/${second.id}`)).body).toEqual(second);
    });

    it('answers 404 on every route for another user’s author and leaves it unchanged', async () => {
      const author = await createOk(alice, { name: 'Salman Rushdie', book: "Midnight's Children", bookerPrize: true });
      const before = await rowOf(author.id);
      const path = `/api/authors/${author.id}`;
      const attempts = [
        t.http().get(path).set(bearer(bob.accessToken)),
        t.http().put(path).set(bearer(bob.accessToken)).send({ name: 'Stolen', book: 'Stolen', country: 'X', bookerPrize: false }),
        t.http().patch(path).set(bearer(bob.accessToken)).send({ name: 'Stolen' }),
        t.http().delete(path).set(bearer(bob.accessToken)),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.status).toBe(404);
        expect(response.body).toEqual(NOT_FOUND);
      }
      expect(await rowOf(author.id)).toEqual(before);
      expect((await get(alice, path)).body).toEqual(author);
      // The same answer as for an id that exists nowhere.
      expect((await get(bob, `/api/authors/${randomUUID()}`)).body).toEqual(NOT_FOUND);
    });

    it('answers 400 for an id that is not a UUID', async () => {
      for (const request of [
        t.http().get('/api/authors/123').set(bearer(alice.accessToken)),
        t.http().put('/api/authors/abc').set(bearer(alice.accessToken)).send({ name: 'A', book: 'B', country: 'C', bookerPrize: true }),
        t.http().patch('/api/authors/abc').set(bearer(alice.accessToken)).send({ name: 'A' }),
        t.http().delete(`/api/authors/${randomUUID()}x`).set(bearer(alice.accessToken)),
      ]) {
        const response = await request;
        expect(response.status).toBe(400);
        expect(response.body.error).toBe('Bad Request');
      }
    });

    it('lets an admin read, change and delete any author, keeping its owner', async () => {
      const author = await createOk(alice, { name: 'Margaret Atwood', book: 'The Blind Assassin' });
      const path = `/api/authors/${author.id}`;
      expect((await get(admin, path)).body).toEqual(author);

      const patched = await t.http().patch(path).set(bearer(admin.accessToken)).send({ bookerPrize: true, country: 'Canada' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ ownerId: alice.id, bookerPrize: true, country: 'Canada' });
      const put = await t
        .http()
        .put(path)
        .set(bearer(admin.accessToken))
        .send({ name: 'Margaret Atwood', book: 'The Testaments', country: 'Canada', bookerPrize: true });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ ownerId: alice.id, book: 'The Testaments' });
      expect((await get(alice, path)).body).toEqual(put.body);

      expect((await t.http().delete(path).set(bearer(admin.accessToken))).status).toBe(204);
      expect(await rowOf(author.id)).toBeUndefined();
    });

    it('takes a demotion into account on the next request', async () => {
      const demoted = await registerAndLogin(t);
      await t.dataSource.query(`UPDATE users SET role = 'admin' WHERE id = ?`, [demoted.id]);
      const author = await createOk(alice, { name: uniqueName('Demotion'), book: 'B' });
      expect((await get(demoted, `/api/authors/${author.id}`)).status).toBe(200);
      await t.dataSource.query(`UPDATE users SET role = 'user' WHERE id = ?`, [demoted.id]);
      expect((await get(demoted, `/api/authors/${author.id}`)).status).toBe(404);
      const listed = await get(demoted, `/api/authors?ownerId=${alice.id}`);
      expect(listed.status).toBe(200);
      expect(listed.body.total).toBe(0);
    });
  });

  it('deletes a user’s authors with the user', async () => {
    const leaver = await registerAndLogin(t);
    const kept = await createOk(alice, { name: uniqueName('Kept'), book: 'B' });
    const authors = [await createOk(leaver, { name: 'A', book: 'One' }), await createOk(leaver, { name: 'A', book: 'Two' })];
    expect(await countOwned(leaver.id)).toBe(2);

    const fresh = await login(t, leaver.username, leaver.password);
    const response = await t.http().delete('/api/users/me').set(bearer(fresh.accessToken));
    expect(response.status).toBe(204);

    expect(await countOwned(leaver.id)).toBe(0);
    for (const author of authors) expect((await get(admin, `/api/authors/${author.id}`)).status).toBe(404);
    expect((await get(admin, `/api/authors?ownerId=${leaver.id}`)).body).toMatchObject({ items: [], total: 0 });
    expect((await get(alice, `/api/authors/${kept.id}`)).status).toBe(200);
  });
});
