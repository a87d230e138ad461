import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * The web client routes with real paths (History API), so a page load of /login or
 * /authors?page=2 must answer the client's index.html; the API, the docs and missing
 * files keep answering 404s, the API's as JSON.
 */
describe('web client paths', () => {
  let t: TestApp;
  const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['/login', '/authors?page=2&sort=name', '/admin', '/some/deeper/path'])('a page load of %s answers index.html', async (path) => {
    const res = await t.http().get(path).set('Accept', HTML);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<div id="view"');
    // The strict CSP goes with it, as with every page.
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  it('/ still answers index.html', async () => {
    const res = await t.http().get('/').set('Accept', HTML);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<div id="view"');
  });

  it('an unknown API path stays a JSON 404, even for a browser', async () => {
    for (const path of ['/api/nope', '/api', '/api/users/me/nothing']) {
      const res = await t.http().get(path).set('Accept', HTML);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
  });

  it('a request that does not ask for HTML, a missing file, the docs and other methods are not answered with the page', async () => {
    const json = await t.http().get('/login').set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect(json.headers['content-type']).toMatch(/^application\/json/);

    const missingFile = await t.http().get('/js/missing.js').set('Accept', HTML);
    expect(missingFile.status).toBe(404);

    const docs = await t.http().get('/docs/nothing-here').set('Accept', HTML);
    expect(docs.status).toBe(404);
    expect(docs.text).not.toContain('<div id="view"');

    const post = await t.http().post('/login').set('Accept', HTML).send({});
    expect(post.status).toBe(404);
    expect(post.text).not.toContain('<div id="view"');
  });

  it('real files are still served as themselves', async () => {
    const css = await t.http().get('/styles.css').set('Accept', 'text/css,*/*;q=0.1');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });
});
