#!/usr/bin/env node
// Browser test of the bundled web client: drives Debian's Chromium through playwright-core
// against a real instance of the built service (dist/src/main.js) on a throwaway SQLite
// database, through every main flow, taking a screenshot of each main page.
//
//   npm run build && node test/browser/run.mjs
//
// Environment (all optional):
//   CHROMIUM_PATH                 browser binary (default /usr/bin/chromium)
//   BROWSER_TEST_BASE_URL         test an already running instance instead of starting one
//                                 (it must run with REQUIRE_APPROVAL=true)
//   BROWSER_TEST_ADMIN_USERNAME   admin of that instance (default admin)
//   BROWSER_TEST_ADMIN_PASSWORD   required with BROWSER_TEST_BASE_URL
//   BROWSER_TEST_TIMEOUT_MS       overall time limit (default 120000)
//   BROWSER_TEST_HEADED=1         show the browser window

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOTS = path.join(ROOT, 'test/browser/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TOTAL_TIMEOUT_MS = Number(process.env.BROWSER_TEST_TIMEOUT_MS || 120_000);
const STEP_TIMEOUT_MS = 10_000;
const HEALTH_TIMEOUT_MS = 30_000;

const started = Date.now();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'browser-test-'));
let server = null;
let serverLog = [];
let context = null;
let page = null;
let currentStep = 'start-up';
let finished = false;
const pageProblems = [];

function log(message) {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`[${t}s] ${message}`);
}

class TestFailure extends Error {}

function fail(message) {
  throw new TestFailure(message);
}

// ---- server ----------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function randomString(length, alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789') {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

async function startServer() {
  const entry = path.join(ROOT, 'dist/src/main.js');
  if (!existsSync(entry)) fail(`${path.relative(ROOT, entry)} is missing: run \`npm run build\` first.`);
  if (!existsSync(path.join(ROOT, 'dist/web/index.html'))) {
    fail('dist/web/index.html is missing: `npm run build` must also build the web client.');
  }
  const port = await freePort();
  const adminPassword = `Qz!${randomString(10)} maple-otter ${randomString(6)}`;
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: `sqlite:${path.join(tmp, 'browser.db')}`,
    JWT_SECRET: randomString(48),
    ENCRYPTION_KEY: randomString(48),
    REQUIRE_APPROVAL: 'true',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: adminPassword,
    NODE_ENV: 'development',
    NO_COLOR: '1',
  };
  log(`starting the service on port ${port}`);
  server = spawn(process.execPath, [entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk) => {
    serverLog.push(...chunk.toString().split('\n').filter(Boolean));
    if (serverLog.length > 200) serverLog = serverLog.slice(-200);
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  let exited = null;
  server.once('exit', (code, signal) => {
    exited = { code, signal };
  });

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) fail(`the service exited during start-up (code ${exited.code}, signal ${exited.signal})`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) {
        log('service is healthy');
        return { baseUrl: `http://localhost:${port}`, adminUsername: 'admin', adminPassword };
      }
      lastProblem = `GET /api/health answered ${res.status}`;
    } catch (err) {
      lastProblem = err.cause?.code || err.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`the service did not become healthy within ${HEALTH_TIMEOUT_MS / 1000}s (${lastProblem})`);
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

// ---- browser helpers ---------------------------------------------------------------------

async function step(name, fn) {
  currentStep = name;
  const t0 = Date.now();
  await fn();
  log(`✓ ${name} (${Date.now() - t0} ms)`);
}

async function visible(locator, what, timeout = STEP_TIMEOUT_MS) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    fail(`expected to see ${what}${await pageSummary()}`);
  }
  return locator.first();
}

async function gone(locator, what, timeout = STEP_TIMEOUT_MS) {
  try {
    await locator.first().waitFor({ state: 'detached', timeout });
  } catch {
    fail(`expected ${what} to disappear${await pageSummary()}`);
  }
}

async function heading(name) {
  return visible(page.getByRole('heading', { level: 1, name }), `the page heading ${name}`);
}

async function textOf(locator) {
  return ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function expectText(locator, pattern, what) {
  const el = await visible(locator, what);
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let text = '';
  while (Date.now() < deadline) {
    text = await textOf(el);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  fail(`expected ${what} to match ${pattern}, got "${text}"${await pageSummary()}`);
}

async function pageSummary() {
  if (!page) return '';
  try {
    const h1 = await page.locator('h1').first().textContent({ timeout: 1000 }).catch(() => null);
    const alerts = await page.locator('[role=alert]:visible, .toast').allTextContents().catch(() => []);
    return `\n    at ${page.url()} — heading: "${(h1 ?? '').trim()}"${alerts.length ? `, alerts: ${JSON.stringify(alerts.map((a) => a.trim()).filter(Boolean))}` : ''}`;
  } catch {
    return '';
  }
}

async function shot(name) {
  await page.waitForTimeout(150); // let toasts and focus rings settle
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function rows() {
  return page.locator('table tbody tr');
}

async function logIn(username, password) {
  await heading('Welcome back');
  const form = page.locator('#login');
  await form.getByLabel('Username', { exact: true }).fill(username);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

async function navTo(name, title) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await heading(title);
}

// ---- the flows -----------------------------------------------------------------------------

async function run() {
  if (!existsSync(CHROMIUM)) {
    fail(`Chromium was not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  const { chromium } = await import('playwright-core').catch(() =>
    fail('playwright-core is not installed: run `npm install` (it is a dev dependency).'),
  );

  let target;
  if (process.env.BROWSER_TEST_BASE_URL) {
    if (!process.env.BROWSER_TEST_ADMIN_PASSWORD) fail('BROWSER_TEST_ADMIN_PASSWORD is required with BROWSER_TEST_BASE_URL.');
    target = {
      baseUrl: process.env.BROWSER_TEST_BASE_URL.replace(/\/$/, ''),
      adminUsername: process.env.BROWSER_TEST_ADMIN_USERNAME || 'admin',
      adminPassword: process.env.BROWSER_TEST_ADMIN_PASSWORD,
    };
    log(`testing the running instance at ${target.baseUrl}`);
  } else {
    target = await startServer();
  }
  const { baseUrl, adminUsername, adminPassword } = target;

  mkdirSync(SCREENSHOTS, { recursive: true });
  rmSync(path.join(SCREENSHOTS, 'failure.png'), { force: true });
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: process.env.BROWSER_TEST_HEADED !== '1',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on('pageerror', (err) => pageProblems.push(`uncaught error in the page: ${err.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(text)) pageProblems.push(`CSP violation: ${text}`);
  });
  const checkPage = () => {
    if (pageProblems.length) fail(pageProblems.join('\n    '));
  };

  const suffix = randomString(6, 'abcdefghijkmnopqrstuvwxyz23456789');
  const username = `reader_${suffix}`;
  const password = `lantern ${randomString(5)} quietly-orbits ${randomString(4)}`;
  const newPassword = `harbour ${randomString(5)} velvet-comets ${randomString(4)}`;

  await step('the web client is served at / with a CSP', async () => {
    const res = await page.goto(`${baseUrl}/`);
    if (!res || res.status() !== 200) fail(`GET / answered ${res?.status()}`);
    const csp = res.headers()['content-security-policy'];
    if (!csp) log('  note: GET / has no Content-Security-Policy header');
    else if (/unsafe-inline|unsafe-eval/.test(csp.match(/script-src[^;]*/)?.[0] ?? '')) fail(`the CSP allows inline or eval scripts: ${csp}`);
    await heading('Welcome back');
    checkPage();
  });

  await step('sign-up shows the API validation messages next to the fields', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading('Create your account');
    const form = page.locator('#register');
    await form.getByLabel('Username', { exact: true }).fill(username);
    await form.getByLabel('Display name').fill('Rita Reader');
    await form.getByLabel('Password', { exact: true }).fill('too-short');
    await form.getByLabel('Repeat password').fill('too-short');
    await form.getByRole('button', { name: 'Create account' }).click();
    const input = form.getByLabel('Password', { exact: true });
    await expectText(page.locator('#register-password-error'), /password/i, 'the error under the password field');
    if ((await input.getAttribute('aria-invalid')) !== 'true') fail('the password field is not marked aria-invalid');
    if (!(await input.getAttribute('aria-describedby'))?.includes('register-password-error')) fail('the password error is not linked with aria-describedby');
    if (!(await input.evaluate((el) => el === document.activeElement))) fail('focus did not move to the first invalid field');
    await visible(form.locator('[role=alert]'), 'the form alert');
    await shot('register-errors');
  });

  await step('a new user signs up and waits for approval', async () => {
    const form = page.locator('#register');
    await form.getByLabel('Password', { exact: true }).fill(password);
    await form.getByLabel('Repeat password').fill(password);
    await form.getByRole('button', { name: 'Create account' }).click();
    await heading(/waiting for approval/i);
    await shot('register-pending');
  });

  await step('signing up with a taken username says so under the username field', async () => {
    await page.goto(`${baseUrl}/#/register`);
    await heading('Create your account');
    const form = page.locator('#register');
    await form.getByLabel('Username', { exact: true }).fill(username.toUpperCase());
    await form.getByLabel('Password', { exact: true }).fill(password);
    await form.getByLabel('Repeat password').fill(password);
    await form.getByRole('button', { name: 'Create account' }).click();
    await expectText(page.locator('#register-username-error'), /already taken/i, 'the error under the username field');
  });

  await step('the pending user cannot log in yet (403 pending approval)', async () => {
    await page.getByRole('link', { name: 'Log in' }).first().click();
    await logIn(username, password);
    await expectText(page.locator('#login-alert'), /pending|approv/i, 'the "pending approval" message');
    await shot('login-pending');
  });

  await step('the admin logs in and approves the pending user', async () => {
    await logIn(adminUsername, adminPassword);
    await heading('Dashboard');
    await navTo('Admin', 'Administration');
    const item = page.locator(`.pending-item[data-username="${username}"]`);
    await visible(item, `${username} among the pending approvals`);
    await visible(page.locator('#audit-title'), 'the audit log');
    await shot('admin');
    await item.getByRole('button', { name: `Approve ${username}` }).click();
    await gone(item, `${username} in the pending list`);
    await expectText(page.locator('#toast-region'), new RegExp(`${username} was approved`), 'the approval confirmation');
    const row = page.locator(`tr[data-username="${username}"]`);
    await visible(row, `${username} in the users list`);
    if ((await row.getByLabel(`Status of ${username}`).inputValue()) !== 'active') fail(`${username} is not shown as active after approval`);
    await expectText(page.locator('#audit-title').locator('..'), /user\.approved/, 'the user.approved audit event');
    await shot('admin-approved');
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await heading('Welcome back');
  });

  await step('the approved user logs in and sees the dashboard', async () => {
    await logIn(username, password);
    await heading('Dashboard');
    await expectText(page.locator('[data-testid=profile-username]'), new RegExp(`^${username}$`), 'the username on the profile');
    const storage = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    if (storage.local || storage.session) fail('the client stored something in localStorage/sessionStorage');
    if (/refresh_token/.test(storage.cookie)) fail('the refresh token cookie is readable from scripts (not HttpOnly)');
    if (!/csrf_token=/.test(storage.cookie)) fail('no readable csrf_token cookie after a cookie-mode login');
    if (await page.getByRole('link', { name: 'Admin', exact: true }).isVisible()) fail('a normal user sees the Admin link');
    await shot('dashboard');
  });

  await step('the user edits their name', async () => {
    const form = page.locator('#profile');
    await form.getByLabel('Display name').fill('Rita R.');
    await form.getByRole('button', { name: 'Save name' }).click();
    await expectText(page.locator('[data-testid=profile-name]'), /^Rita R\.$/, 'the new name on the profile');
  });

  const addAuthor = async (name, book, country, booker) => {
    await page.getByRole('button', { name: 'New author' }).click();
    const form = page.locator('#author');
    await visible(form, 'the author form');
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Book', { exact: true }).fill(book);
    await form.getByLabel('Country', { exact: true }).fill(country);
    if (booker) await form.getByLabel('Won the Booker Prize').check();
    await form.getByRole('button', { name: 'Add author' }).click();
    await visible(page.locator('table tbody th', { hasText: name }), `${name} in the authors list`);
  };

  await step('the user creates an author', async () => {
    await navTo('Authors', 'Authors');
    await visible(page.getByText('No authors yet').first(), 'the empty state');
    await page.getByRole('button', { name: 'New author' }).click();
    const form = page.locator('#author');
    await form.getByRole('button', { name: 'Add author' }).click();
    await expectText(page.locator('#author-name-error'), /required/i, 'the "required" error under Name');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await addAuthor('Arundhati Roy', 'The God of Small Things', 'India', true);
  });

  await step('the user edits the author', async () => {
    await page.getByRole('button', { name: 'Edit Arundhati Roy' }).click();
    await visible(page.getByRole('heading', { name: 'Edit Arundhati Roy' }), 'the edit form');
    const form = page.locator('#author');
    await form.getByLabel('Book', { exact: true }).fill('The Ministry of Utmost Happiness');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await expectText(page.locator('tr', { hasText: 'Arundhati Roy' }), /The Ministry of Utmost Happiness/, 'the edited book');
  });

  await step('search, filters and sort narrow and order the list', async () => {
    await addAuthor('Kazuo Ishiguro', 'The Remains of the Day', 'United Kingdom', true);
    await addAuthor('Elena Ferrante', 'My Brilliant Friend', 'Italy', false);
    const filters = page.locator('#author-filters');
    await filters.getByLabel('Search').fill('Ishiguro');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await gone(page.locator('table tbody th', { hasText: 'Elena Ferrante' }), 'Elena Ferrante after searching for Ishiguro');
    if ((await (await rows()).count()) !== 1) fail('searching for "Ishiguro" did not leave exactly one author');
    await filters.getByRole('button', { name: 'Reset' }).click();
    await visible(page.locator('table tbody th', { hasText: 'Elena Ferrante' }), 'every author after reset');
    await filters.getByLabel('Booker Prize').selectOption('false');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await gone(page.locator('table tbody th', { hasText: 'Kazuo Ishiguro' }), 'Booker winners when filtering for non-winners');
    await filters.getByLabel('Booker Prize').selectOption('');
    await filters.getByLabel('Sort by').selectOption('name');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await visible(page.locator('table tbody th', { hasText: 'Kazuo Ishiguro' }), 'every author again');
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    let names = [];
    while (Date.now() < deadline) {
      names = (await page.locator('table tbody th').allTextContents()).map((t) => t.trim());
      if (names.join('|') === 'Arundhati Roy|Elena Ferrante|Kazuo Ishiguro') break;
      await page.waitForTimeout(100);
    }
    if (names.join('|') !== 'Arundhati Roy|Elena Ferrante|Kazuo Ishiguro') fail(`sorting by name gave ${JSON.stringify(names)}`);
    await shot('authors');
    await page.setViewportSize({ width: 360, height: 780 });
    await shot('authors-mobile');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  await step('the user deletes an author', async () => {
    await page.getByRole('button', { name: 'Delete Arundhati Roy' }).click();
    await page.getByRole('button', { name: 'Yes, delete Arundhati Roy' }).click();
    await gone(page.locator('table tbody th', { hasText: 'Arundhati Roy' }), 'the deleted author');
    await expectText(page.locator('#toast-region'), /was deleted/, 'the deletion confirmation');
  });

  await step('after a reload the user is still logged in (cookie refresh)', async () => {
    await page.reload();
    await heading('Authors');
    await visible(page.locator('table tbody th', { hasText: 'Kazuo Ishiguro' }), 'the authors after reload');
    if (await page.getByRole('heading', { name: 'Welcome back' }).isVisible()) fail('the reload ended on the login screen');
  });

  await step('an API 401 makes the client refresh once and retry', async () => {
    // The next authors request answers 401 as if the access token had expired.
    let intercepted = 0;
    const handler = async (route) => {
      intercepted += 1;
      await route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ statusCode: 401, message: 'Access token expired', error: 'Unauthorized' }) });
    };
    await page.route(/\/api\/authors(\?|$)/, handler, { times: 1 });
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/auth/refresh') && r.request().method() === 'POST', { timeout: STEP_TIMEOUT_MS });
    await navTo('Dashboard', 'Dashboard');
    await navTo('Authors', 'Authors');
    const refresh = await refreshed.catch(() => fail('no POST /api/auth/refresh after a 401'));
    if (refresh.status() !== 200) fail(`the refresh after a 401 answered ${refresh.status()}`);
    await visible(page.locator('table tbody th', { hasText: 'Kazuo Ishiguro' }), 'the authors list after the retried request');
    if (intercepted !== 1) fail(`expected one intercepted request, saw ${intercepted}`);
  });

  await step('the user changes the password, confirming it first (token not fresh after reload)', async () => {
    await navTo('Password', 'Change password');
    const form = page.locator('#password');
    await form.getByLabel('Current password').fill(password);
    await form.getByLabel('New password', { exact: true }).fill(newPassword);
    await form.getByLabel('Repeat new password').fill(newPassword);
    await form.getByRole('button', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog');
    await visible(dialog, 'the "confirm it’s you" dialog (PUT /api/users/me/password should answer 401 "fresh" to a refreshed token)');
    await shot('password-confirm');
    await dialog.getByLabel('Password', { exact: true }).fill(password);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await gone(dialog, 'the confirmation dialog');
    await expectText(page.locator('#password-alert'), /Password changed/, 'the success message');
    await shot('password');
  });

  await step('the sessions page lists this device; logging out this device works', async () => {
    await navTo('Sessions', 'Sessions');
    const current = page.locator('.session.current');
    await expectText(current, /This device/, 'the current session');
    await shot('sessions');
    await current.getByRole('button', { name: 'Log out this device' }).click();
    await heading('Welcome back');
  });

  await step('the old password no longer works, the new one does', async () => {
    await logIn(username, password);
    await expectText(page.locator('#login-alert'), /./, 'the wrong-password message');
    await logIn(username, newPassword);
    await heading('Dashboard');
  });

  await step('log out everywhere ends on the login screen, and a reload stays there', async () => {
    await navTo('Sessions', 'Sessions');
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await heading('Welcome back');
    await expectText(page.locator('main [role=status]').first(), /every device/i, 'the logged-out notice');
    await page.reload();
    await heading('Welcome back');
    await page.waitForTimeout(300);
    if (!(await page.getByRole('heading', { name: 'Welcome back' }).isVisible())) fail('after logging out everywhere a reload left the login screen');
    await shot('login');
    checkPage();
  });
}

// ---- main ---------------------------------------------------------------------------------

async function cleanup() {
  if (context) await context.close().catch(() => undefined);
  context = null;
  await stopServer().catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}

async function reportFailure(err) {
  console.error(`\n✗ browser test failed in step "${currentStep}":\n    ${err instanceof TestFailure ? err.message : err?.stack || err}`);
  if (page) {
    await page.screenshot({ path: path.join(SCREENSHOTS, 'failure.png'), fullPage: true }).then(
      () => console.error(`    screenshot: ${path.relative(ROOT, path.join(SCREENSHOTS, 'failure.png'))}`),
      () => undefined,
    );
  }
  if (pageProblems.length) console.error(`    page problems:\n      ${pageProblems.join('\n      ')}`);
  if (serverLog.length) console.error(`    last lines of the service's output:\n      ${serverLog.slice(-25).join('\n      ')}`);
}

const overall = setTimeout(async () => {
  if (finished) return;
  finished = true;
  await reportFailure(new TestFailure(`the browser test did not finish within ${TOTAL_TIMEOUT_MS / 1000}s`));
  await cleanup();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    finished = true;
    console.error(`\ninterrupted (${signal})`);
    await cleanup();
    process.exit(130);
  });
}

try {
  await run();
  finished = true;
  clearTimeout(overall);
  await cleanup();
  log(`browser test passed; screenshots in ${path.relative(ROOT, SCREENSHOTS)}/`);
  process.exit(0);
} catch (err) {
  if (!finished) {
    finished = true;
    clearTimeout(overall);
    await reportFailure(err);
    await cleanup();
    process.exit(1);
  }
}
