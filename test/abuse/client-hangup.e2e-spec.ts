import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { connect } from 'node:net';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** Sends a request head and part of its body, then hangs up. */
function hangUpMidBody(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n{"username"`,
      );
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

/** A client that hangs up mid-body is the client's doing, not a database outage. */
describe('a client that hangs up mid-request', () => {
  let t: TestApp;
  let port: number;
  let errors: ReturnType<typeof jest.spyOn>;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(async () => {
    await t.close();
  });

  beforeEach(() => {
    errors = jest.spyOn(Logger.prototype, 'error');
  });
  afterEach(() => {
    errors.mockRestore();
  });

  const logged = () => JSON.stringify(errors.mock.calls);

  it('is not logged as "Database unavailable", on a public or a protected route', async () => {
    for (const path of ['/api/auth/login', '/api/auth/register', '/api/authors']) {
      await hangUpMidBody(port, path);
    }
    // The server notices the hang-up asynchronously; give it a moment, then ask it something.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await t.http().get('/api/health')).status).toBe(200);
    expect(logged()).not.toMatch(/Database unavailable/i);
    expect(logged()).not.toMatch(/ECONNRESET/);
  });

  it('still answers the next request on the same server normally', async () => {
    await hangUpMidBody(port, '/api/auth/login');
    const response = await t.http().post('/api/auth/login').send({ username: 'nobody_here', password: 'x'.repeat(20) });
    expect(response.status).toBe(401);
  });
});
