#!/usr/bin/env node
// Browser test of the bundled web client: drives Debian's Chromium through playwright-core
// against a real instance of the built service (dist/src/main.js) on a throwaway SQLite
// database, through every main flow. Each main page is checked at desktop (1280x800) and
// phone (390x844) size: axe-core must report no violations, nothing may scroll sideways
// or stick out of the window, and a screenshot of each size is kept in
// test/browser/screenshots/ (git-ignored: they change with every run's names and dates).
//
//   npm run build && node test/browser/run.mjs
//
// Environment (all optional):
//   CHROMIUM_PATH                 browser binary (default /usr/bin/chromium)
//   BROWSER_TEST_BASE_URL         test an already running instance instead of starting one
//                                 (it must run with REQUIRE_APPROVAL=true)
//   BROWSER_TEST_ADMIN_USERNAME   admin of that instance (default admin)
//   BROWSER_TEST_ADMIN_PASSWORD   required with BROWSER_TEST_BASE_URL
//   BROWSER_TEST_OUTBOX           that instance's MAIL_OUTBOX (without it the email steps are skipped)
//   BROWSER_TEST_TIMEOUT_MS       overall time limit (default 600000)
//   BROWSER_TEST_HEADED=1         show the browser window

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret, TOTP } from 'otpauth';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOTS = path.join(ROOT, 'test/browser/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TOTAL_TIMEOUT_MS = Number(process.env.BROWSER_TEST_TIMEOUT_MS || 600_000);
const STEP_TIMEOUT_MS = 10_000;
const HEALTH_TIMEOUT_MS = 30_000;
// Every page is checked (axe-core, nothing cut off or scrolling sideways) and
// photographed at both sizes: <name>.png (desktop) and <name>-phone.png.
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The strength meter must score as zxcvbn-ts does with the server's dictionaries and bounds. */
async function referenceScorer() {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]);
  const zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary, ...en.dictionary }, graphs: common.adjacencyGraphs, translations: en.translations, l33tMaxSubstitutions: 8, maxLength: 64 });
  return (password, userInputs) => zxcvbn.check(password, userInputs).score;
}

const pathOf = (url) => new URL(url).pathname;

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
  oidc = await startOidcProvider(`http://localhost:${port}/api/auth/oidc/test/callback`);
  const adminPassword = `Qz!${randomString(10)} maple-otter ${randomString(6)}`;
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: `sqlite:${path.join(tmp, 'browser.db')}`,
    JWT_SECRET: randomString(48),
    ENCRYPTION_KEY: randomString(48),
    REQUIRE_APPROVAL: 'true',
    // The suite makes more auth calls in a minute than a person would; the lockout step
    // needs only a few wrong passwords.
    THROTTLE_AUTH_LIMIT: '1000',
    LOGIN_MAX_FAILURES: '3',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: adminPassword,
    NODE_ENV: 'development',
    NO_COLOR: '1',
    // No SMTP_URL: mail lands as .eml files here, where the email steps read it.
    MAIL_OUTBOX: path.join(tmp, 'outbox'),
    APP_URL: `http://localhost:${port}`,
    OIDC_PROVIDERS: JSON.stringify([{ id: 'test', name: 'Test OP', issuer: oidc.issuer, clientId: oidc.clientId, clientSecret: oidc.clientSecret }]),
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
        return { baseUrl: `http://localhost:${port}`, adminUsername: 'admin', adminPassword, outbox: env.MAIL_OUTBOX };
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

// ---- OpenID Provider ------------------------------------------------------------------------

/**
 * A real OpenID Provider (oidc-provider) on 127.0.0.1 for the "Continue with Test OP" step: one
 * client, PKCE required, and an interaction that logs in `oidc.account` without a form (the
 * e2e suite's test/support/oidc-provider.ts does the same for Jest).
 */
let oidc = null;

async function startOidcProvider(redirectUri) {
  const [{ default: Provider }, { exportJWK, generateKeyPair }, http] = await Promise.all([import('oidc-provider'), import('jose'), import('node:http')]);
  const harness = { issuer: '', clientId: 'browser-test', clientSecret: randomString(32), account: null, deny: false, claims: {}, server: null };
  let provider = null;
  harness.server = http.createServer((req, res) => {
    if (!provider) return void res.writeHead(503).end();
    if (!req.url.startsWith('/interaction/')) return void provider.callback()(req, res);
    void (async () => {
      await provider.interactionDetails(req, res);
      const result = harness.deny ? { error: 'access_denied', error_description: 'The user declined' } : { login: { accountId: harness.account } };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    })().catch((err) => res.writeHead(500).end(String(err?.message)));
  });
  await new Promise((resolve) => harness.server.listen(0, '127.0.0.1', resolve));
  harness.issuer = `http://127.0.0.1:${harness.server.address().port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const warn = console.warn;
  console.warn = (...args) => String(args[0]).startsWith('oidc-provider WARNING') || warn(...args);
  provider = new Provider(harness.issuer, {
    clients: [{ client_id: harness.clientId, client_secret: harness.clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'browser-test' }] },
    cookies: { keys: [randomString(32)] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => (sub === harness.account ? { accountId: sub, claims: () => ({ sub, ...harness.claims }) } : undefined),
    loadExistingGrant: async (ctx) => {
      if (!ctx.oidc.session?.accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  console.warn = warn;
  log(`OpenID Provider at ${harness.issuer}`);
  return harness;
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

/** A screenshot at the current size, no checks. */
async function snap(name) {
  await page.waitForTimeout(150); // let toasts and focus rings settle
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Checks the page as it is, at desktop and phone size: axe-core finds no violations,
 * nothing scrolls sideways or sticks out of the window, then a screenshot of each.
 * `more(size)` adds checks of its own at each size. Ends at desktop size.
 */
async function shot(name, more) {
  try {
    for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      await page.setViewportSize(viewport);
      await page.waitForTimeout(250); // toasts animate in, layouts settle
      await fitsTheWindow(`${name} (${size})`);
      await axeClean(`${name} (${size})`);
      if (more) await more(size);
      await page.screenshot({ path: path.join(SCREENSHOTS, size === 'desktop' ? `${name}.png` : `${name}-${size}.png`), fullPage: true });
    }
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

async function axeClean(where) {
  // Served from a same-origin address the test intercepts, so the page's strict CSP
  // (script-src 'self') allows it: an inline script would be refused, as it should be.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ url: `${axeOrigin}/__browser-test__/axe.min.js` });
  }
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`),
    }));
  });
  if (violations.length) {
    fail(`axe-core found ${violations.length} violation(s) on ${where}:\n      ${violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n        ${v.nodes.join('\n        ')}`).join('\n      ')}`);
  }
}

let axeOrigin = '';

/** Nothing scrolls sideways, and no visible control or text box pokes out of the window. */
async function fitsTheWindow(where) {
  const problems = await page.evaluate(() => {
    const out = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) out.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
    for (const el of document.querySelectorAll('main input, main select, main button, main table, .topbar a, .topbar button, .toast')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const what = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.getAttribute('name') || '').trim().slice(0, 30)}"`;
      if (r.left < -1 || r.right > width + 1) out.push(`${what} spans ${Math.round(r.left)}–${Math.round(r.right)}px`);
      // Inside the window is not enough: a button poking out of its card looks cut off too.
      const card = el.closest('.card');
      if (card) {
        const c = card.getBoundingClientRect();
        const cs = getComputedStyle(card);
        const left = c.left + parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft);
        const right = c.right - parseFloat(cs.borderRightWidth) - parseFloat(cs.paddingRight);
        if (r.left < left - 1 || r.right > right + 1) out.push(`${what} sticks out of its card (${Math.round(r.left)}–${Math.round(r.right)}px, card content ${Math.round(left)}–${Math.round(right)}px)`);
      }
    }
    const topbar = document.querySelector('.topbar');
    if (topbar && !topbar.classList.contains('menu-open') && topbar.getBoundingClientRect().height > 80) out.push(`the top bar wraps (${Math.round(topbar.getBoundingClientRect().height)}px high)`);
    return out;
  });
  if (problems.length) fail(`on ${where}:\n      ${problems.slice(0, 8).join('\n      ')}${await pageSummary()}`);
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
      outbox: process.env.BROWSER_TEST_OUTBOX,
    };
    log(`testing the running instance at ${target.baseUrl}`);
  } else {
    target = await startServer();
  }
  const { baseUrl, adminUsername, adminPassword, outbox } = target;
  axeOrigin = baseUrl;

  mkdirSync(SCREENSHOTS, { recursive: true });
  rmSync(path.join(SCREENSHOTS, 'failure.png'), { force: true });
  context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: process.env.BROWSER_TEST_HEADED !== '1',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: DESKTOP,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.route('**/__browser-test__/axe.min.js', (route) => route.fulfill({ path: AXE_SOURCE, contentType: 'text/javascript' }));
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
  const resetPassword = `meadow ${randomString(5)} amber-kites ${randomString(4)}`;
  const email = `${username}@example.test`;

  await step('the web client is served at / with a CSP', async () => {
    const res = await page.goto(`${baseUrl}/`);
    if (!res || res.status() !== 200) fail(`GET / answered ${res?.status()}`);
    const csp = res.headers()['content-security-policy'];
    if (!csp) log('  note: GET / has no Content-Security-Policy header');
    else if (/unsafe-inline|unsafe-eval/.test(csp.match(/script-src[^;]*/)?.[0] ?? '')) fail(`the CSP allows inline or eval scripts: ${csp}`);
    await heading('Welcome back');
    checkPage();
  });

  await step('addresses are real paths: typed, old #/ links, Back and Forward; the API keeps JSON 404s', async () => {
    const typed = await page.goto(`${baseUrl}/register`);
    if (typed?.status() !== 200) fail(`a typed /register answered ${typed?.status()}`);
    await heading('Create your account');
    await page.goto(`${baseUrl}/#/login`);
    await heading('Welcome back');
    if (pathOf(page.url()) !== '/login' || new URL(page.url()).hash) fail(`the old link #/login was not turned into /login (${page.url()})`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading('Create your account');
    if (pathOf(page.url()) !== '/register') fail(`following "Create an account" led to ${page.url()}`);
    await page.goBack();
    await heading('Welcome back');
    await page.goForward();
    await heading('Create your account');
    const api = await page.evaluate(async () => {
      const res = await fetch('/api/no-such-route', { headers: { Accept: 'text/html' } });
      return { status: res.status, type: res.headers.get('content-type') ?? '' };
    });
    if (api.status !== 404 || !/json/.test(api.type)) fail(`an unknown API path answered ${api.status} ${api.type}, not a JSON 404`);
    checkPage();
  });

  await step('the "Log in" link shows its whole focus ring (not hidden behind "Sign up")', async () => {
    await page.goto(`${baseUrl}/login`);
    await heading('Welcome back');
    let reached = false;
    for (let i = 0; i < 8 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.closest('#nav') !== null && document.activeElement?.textContent?.trim() === 'Log in');
    }
    if (!reached) fail('Tab never reached the "Log in" link');
    const problems = await page.evaluate(() => {
      const link = document.activeElement;
      const style = getComputedStyle(link);
      if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return ['it has no visible focus outline'];
      const grow = parseFloat(style.outlineWidth) + Math.max(0, parseFloat(style.outlineOffset));
      const r = link.getBoundingClientRect();
      const ring = { left: r.left - grow, right: r.right + grow, top: r.top - grow, bottom: r.bottom + grow };
      const out = [];
      const signUp = [...document.querySelectorAll('#nav a')].find((a) => a.textContent.trim() === 'Sign up')?.getBoundingClientRect();
      if (signUp && ring.right > signUp.left && ring.left < signUp.right && ring.bottom > signUp.top && ring.top < signUp.bottom) {
        out.push(`the ring (${Math.round(ring.left)}–${Math.round(ring.right)}px) runs under "Sign up" (from ${Math.round(signUp.left)}px)`);
      }
      for (let el = link.parentElement; el; el = el.parentElement) {
        const cs = getComputedStyle(el);
        if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
        const b = el.getBoundingClientRect();
        if (ring.left < b.left || ring.right > b.right || ring.top < b.top || ring.bottom > b.bottom) out.push(`<${el.tagName.toLowerCase()} class="${el.className}"> clips the ring (overflow ${cs.overflowX}/${cs.overflowY})`);
      }
      return out;
    });
    if (problems.length) fail(`the focused "Log in" link: ${problems.join('; ')}`);
    await snap('login-focus');
  });

  await step('sign-up shows the API validation messages next to the fields', async () => {
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading('Create your account');
    const form = page.locator('#register');
    await form.getByLabel('Username', { exact: true }).fill(username);
    await form.getByLabel('Display name').fill('Rita Reader');
    await form.getByLabel('Password', { exact: true }).fill('too-short');
    await form.getByLabel('Repeat password').fill('too-short');
    // The meter scores as the server's zxcvbn-ts does, with the same dictionaries.
    const score = await referenceScorer();
    const meter = form.locator('[data-field=password] .strength-bar');
    const meterShows = async (pw, what) => {
      // Below the minimum length the server refuses it whatever it scores: the meter says "Too short".
      const want = [...pw].length < 15 ? '0' : String(score(pw, [username, 'Rita Reader']));
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      let got = null;
      while (Date.now() < deadline && got !== want) {
        got = await meter.getAttribute('data-score').catch(() => null);
        if (got !== want) await page.waitForTimeout(100);
      }
      if (got !== want) fail(`the strength meter shows score ${got} for ${what}; zxcvbn-ts says ${want}`);
      return want;
    };
    await meterShows('too-short', 'a short password');
    await expectText(form.locator('[data-field=password] .strength-text'), /^Strength: Too short\. Use at least 15 characters/, 'the meter text for a short password');
    const weak = 'password12345678';
    await form.getByLabel('Password', { exact: true }).fill(weak);
    if (Number(await meterShows(weak, 'a common password')) > 1) fail(`"${weak}" should score as weak`);
    await expectText(form.locator('[data-field=password] .strength-text'), /^Strength: (Very weak|Weak)\./, 'the meter text for a common password');
    await form.getByLabel('Password', { exact: true }).fill('too-short');
    // Show/hide: the toggle reveals the typed password and hides it again.
    const toggle = form.locator('[data-field=password]').getByRole('button', { name: 'Show password' });
    await toggle.click();
    if ((await form.getByLabel('Password', { exact: true }).getAttribute('type')) !== 'text') fail('"Show password" did not reveal the password');
    if ((await form.locator('[data-field=password] .password-toggle').getAttribute('aria-pressed')) !== 'true') fail('the toggle is not aria-pressed while showing');
    await form.locator('[data-field=password]').getByRole('button', { name: 'Hide password' }).click();
    if ((await form.getByLabel('Password', { exact: true }).getAttribute('type')) !== 'password') fail('"Hide password" did not hide it again');
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
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password', { exact: true }).fill(password);
    await form.getByLabel('Repeat password').fill(password);
    await expectText(form.locator('[data-field=password] .strength-text'), /^Strength: (Strong|Very strong)\./, 'the meter text for a long passphrase');
    const want = String((await referenceScorer())(password, [username, 'Rita Reader']));
    const got = await form.locator('[data-field=password] .strength-bar').getAttribute('data-score');
    if (got !== want) fail(`the meter scores the passphrase ${got}; zxcvbn-ts says ${want}`);
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
    // The Detail column reads as words, not raw JSON.
    const details = (await page.locator('#audit-title').locator('..').locator('td.detail').allTextContents()).map((t) => t.trim());
    const raw = details.find((t) => /[{}"]/.test(t));
    if (raw) fail(`the audit log shows raw JSON in its Detail column: ${raw}`);
    await shot('admin-approved');
  });

  const otherUser = `maya_${suffix}`;
  await step('a role change with a refreshed token asks "confirm it’s you"; Back closes that dialog', async () => {
    const registered = await page.request.post(`${baseUrl}/api/auth/register`, { data: { username: otherUser, password: `${password} ${randomString(4)}` } });
    if (registered.status() !== 201) fail(`registering ${otherUser} answered ${registered.status()}`);
    await page.reload(); // the access token now comes from a refresh: not fresh
    await heading('Administration');
    const row = page.locator(`tr[data-username="${otherUser}"]`);
    const dialog = page.getByRole('dialog');
    const askForAdminRole = async () => {
      await row.getByLabel(`Role of ${otherUser}`).selectOption('admin');
      await row.getByRole('button', { name: `Save ${otherUser}` }).click();
    };
    // Back to pending takes access away too: the server wants a fresh login, so the client asks first.
    const activeRow = page.locator(`tr[data-username="${username}"]`);
    await activeRow.getByLabel(`Status of ${username}`).selectOption('pending');
    await activeRow.getByRole('button', { name: `Save ${username}` }).click();
    await visible(dialog, 'the "confirm it’s you" dialog for setting a user back to pending');
    await page.keyboard.press('Escape');
    await gone(dialog, 'the dialog after Escape');
    await expectText(page.locator('#toast-region'), /Nothing was changed/, 'the cancelled status change');
    await activeRow.getByLabel(`Status of ${username}`).selectOption('active');
    await askForAdminRole();
    await visible(dialog, 'the "confirm it’s you" dialog (PATCH /api/users/:id with a role should answer 401 "fresh" to a refreshed token)');
    await shot('confirm-dialog');
    await page.goBack();
    await heading('Dashboard');
    await gone(dialog, 'the "confirm it’s you" dialog after browser Back');
    await page.goForward();
    await heading('Administration');
    await askForAdminRole();
    await visible(dialog, 'the "confirm it’s you" dialog again');
    await dialog.getByLabel('Password', { exact: true }).fill(adminPassword);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await gone(dialog, 'the confirmation dialog');
    await expectText(page.locator('#toast-region'), new RegExp(`${otherUser} was updated`), 'the role change confirmation');
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await heading('Welcome back');
  });

  await step('the approved user logs in and sees the dashboard', async () => {
    await logIn(username, password);
    await heading('Dashboard');
    await expectText(page.locator('[data-testid=profile-username]'), new RegExp(`^${username}$`), 'the username on the profile');
    const leftover = await textOf(page.locator('#toast-region'));
    if (/was updated|was approved|Nothing was changed/i.test(leftover)) fail(`a notice meant for the admin shows on ${username}'s dashboard: "${leftover}"`);
    const storage = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    if (storage.local || storage.session) fail('the client stored something in localStorage/sessionStorage');
    if (/refresh_token/.test(storage.cookie)) fail('the refresh token cookie is readable from scripts (not HttpOnly)');
    if (!/csrf_token=/.test(storage.cookie)) fail('no readable csrf_token cookie after a cookie-mode login');
    if (await page.getByRole('link', { name: 'Admin', exact: true }).isVisible()) fail('a normal user sees the Admin link');
    await expectText(page.locator('#email-banner'), new RegExp(`verify your email address ${email}`), 'the "verify your address" banner');
    await shot('dashboard');
  });

  await step('on a phone the navigation is a menu that closes once a page is chosen', async () => {
    await page.setViewportSize(PHONE);
    try {
      const toggle = page.getByRole('button', { name: 'Menu' });
      await visible(toggle, 'the Menu button');
      if (await page.getByRole('navigation', { name: 'Main' }).isVisible()) fail('the navigation shows before the menu is opened');
      await toggle.click();
      if ((await toggle.getAttribute('aria-expanded')) !== 'true') fail('the Menu button is not aria-expanded when open');
      await snap('menu-phone');
      await axeClean('the open menu (phone)');
      await navTo('Sessions', 'Sessions');
      if ((await toggle.getAttribute('aria-expanded')) !== 'false') fail('the menu stayed open after choosing a page');
      if (await page.getByRole('navigation', { name: 'Main' }).isVisible()) fail('the navigation still shows after choosing a page');
      await toggle.click();
      await navTo('Dashboard', 'Dashboard');
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });

  await step('the user edits their name', async () => {
    const form = page.locator('#profile');
    await form.getByLabel('Display name').fill('Rita R.');
    await form.getByRole('button', { name: 'Save name' }).click();
    await expectText(page.locator('[data-testid=profile-name]'), /^Rita R\.$/, 'the new name on the profile');
  });

  await step('a mistyped new email address is refused before the password is asked for', async () => {
    await page.goto(`${baseUrl}/email`);
    await heading('Email');
    const form = page.locator('#email');
    await form.getByLabel('New email address').fill('not an address');
    await form.getByRole('button', { name: 'Change email' }).click();
    await expectText(form, /Enter a valid email address/, 'the address error');
    if (await page.getByRole('dialog').isVisible()) fail('the "confirm it’s you" dialog opened for an address that cannot be valid');
    await page.goto(`${baseUrl}/dashboard`);
    await heading('Dashboard');
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
    await shot('author-form-errors');
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

  await step('on a touch screen every button and field of the authors page is at least 44 px tall', async () => {
    await heading('Authors');
    await page.setViewportSize(PHONE);
    // Chromium's own touch emulation: the page sees (pointer: coarse), as on a phone.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
    try {
      const small = await page.evaluate(() =>
        [...document.querySelectorAll('main button, main select, main input:not([type="checkbox"]):not([type="radio"]):not([type="hidden"])')]
          .filter((element) => element.getClientRects().length > 0)
          .map((element) => ({ what: element.textContent?.trim() || element.getAttribute('name') || element.id || element.tagName, height: element.getBoundingClientRect().height }))
          .filter(({ height }) => height < 43.5),
      );
      if (small.length > 0) fail(`controls under 44 px on a touch screen: ${small.map(({ what, height }) => `${what} (${Math.round(height)} px)`).join(', ')}`);
    } finally {
      await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
      await cdp.detach();
      await page.setViewportSize(DESKTOP);
    }
  });

  await step('search, filters and sort narrow and order the list', async () => {
    await addAuthor('Kazuo Ishiguro', 'The Remains of the Day', 'United Kingdom', true);
    await addAuthor('Elena Ferrante', 'My Brilliant Friend', 'Italy', false);
    const filters = page.locator('#author-filters');
    const columnWidths = () => page.locator('table thead th').evaluateAll((ths) => ths.map((th) => Math.round(th.getBoundingClientRect().width)));
    const widthsWithThree = await columnWidths();
    await filters.getByLabel('Search').fill('Ishiguro');
    await filters.getByRole('button', { name: 'Apply' }).click();
    await gone(page.locator('table tbody th', { hasText: 'Elena Ferrante' }), 'Elena Ferrante after searching for Ishiguro');
    if ((await (await rows()).count()) !== 1) fail('searching for "Ishiguro" did not leave exactly one author');
    const widthsWithOne = await columnWidths();
    if (widthsWithOne.some((w, i) => Math.abs(w - widthsWithThree[i]) > 1)) fail(`the columns jump as the rows change: ${widthsWithThree} → ${widthsWithOne}`);
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
    // Choosing another order takes effect without pressing Apply.
    await filters.getByLabel('Sort by').selectOption('-name');
    const reversed = 'Kazuo Ishiguro|Elena Ferrante|Arundhati Roy';
    const until = Date.now() + STEP_TIMEOUT_MS;
    while (Date.now() < until) {
      names = (await page.locator('table tbody th').allTextContents()).map((t) => t.trim());
      if (names.join('|') === reversed) break;
      await page.waitForTimeout(100);
    }
    if (names.join('|') !== reversed) fail(`choosing "Name Z–A" did not reorder the list without Apply: ${JSON.stringify(names)}`);
    await shot('authors', async (size) => {
      if (size !== 'desktop') return;
      const problems = await page.evaluate(() => {
        const out = [];
        const lines = (el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        };
        for (const th of document.querySelectorAll('table thead th')) {
          if (th.textContent.trim() && !th.querySelector('.sr-only') && lines(th) > 1) out.push(`the header "${th.textContent.trim()}" wraps`);
        }
        for (const time of document.querySelectorAll('table tbody time')) if (lines(time) > 1) out.push(`the date "${time.textContent}" wraps`);
        for (const tr of document.querySelectorAll('table tbody tr')) {
          const [edit, del] = tr.querySelectorAll('.row-actions button');
          if (edit && del && Math.abs(edit.getBoundingClientRect().top - del.getBoundingClientRect().top) > 2) out.push(`Edit and Delete are stacked in the row of ${tr.querySelector('th').textContent}`);
        }
        const [name, book] = [...document.querySelectorAll('table thead th')].map((th) => th.getBoundingClientRect().width);
        if (name > book + 1) out.push(`the name column (${Math.round(name)}px) is wider than the book column (${Math.round(book)}px)`);
        return out;
      });
      if (problems.length) fail(`the desktop authors table: ${problems.join('; ')}`);
    });
    await page.setViewportSize({ width: 360, height: 780 });
    await snap('authors-mobile');
    await page.setViewportSize(DESKTOP);
  });

  await step('long unbroken values wrap in the table and the toast instead of widening the page', async () => {
    const longName = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(3).slice(0, 100);
    const longBook = 'Donaudampfschifffahrtsgesellschaftskapitaenswitwe'.repeat(5).slice(0, 200);
    const longCountry = 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogochuch'.slice(0, 60);
    await addAuthor(longName, longBook, longCountry, false);
    await visible(page.locator('.toast', { hasText: 'was added' }), 'the "was added" toast');
    // fitsTheWindow (in shot) fails on a page wider than the window or a toast sticking out.
    await shot('authors-long', async (size) => {
      const { table, card } = await page.evaluate(() => ({
        table: document.querySelector('table').getBoundingClientRect().width,
        card: document.querySelector('table').closest('.card').clientWidth,
      }));
      if (table > card) fail(`at ${size} size the table is ${Math.round(table)}px wide in a ${card}px card`);
    });
    await page.getByRole('button', { name: `Delete ${longName}` }).click();
    await page.getByRole('button', { name: `Yes, delete ${longName}` }).click();
    await gone(page.locator('table tbody th', { hasText: longName }), 'the long-named author');
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

  await step('changing the password checks the new one first and asks for no second password (token not fresh after reload)', async () => {
    await navTo('Password', 'Change password');
    const form = page.locator('#password');
    const sent = [];
    const track = (request) => {
      if (/^\/api\/(auth\/login|users\/me\/password)$/.test(pathOf(request.url()))) sent.push(`${request.method()} ${pathOf(request.url())}`);
    };
    page.on('request', track);
    try {
      await form.getByLabel('Current password').fill(password);
      await form.getByLabel('New password', { exact: true }).fill('too short');
      await form.getByLabel('Repeat new password').fill('too short');
      await form.getByRole('button', { name: 'Change password' }).click();
      await expectText(page.locator('#password-newPassword-error'), /^New password must be at least 15 characters/, 'the length error under New password');
      await page.waitForTimeout(300);
      if (sent.length) fail(`the form sent ${sent.join(', ')} before checking the new password itself`);
      if (await page.getByRole('dialog').count()) fail('a "confirm it’s you" dialog opened although the form has the current password');
      // A rule only the server knows: its message lands under the field, named by the label.
      const withUsername = `${username} harbour velvet comets`;
      await form.getByLabel('New password', { exact: true }).fill(withUsername);
      await form.getByLabel('Repeat new password').fill(withUsername);
      await form.getByRole('button', { name: 'Change password' }).click();
      const message = await expectText(page.locator('#password-newPassword-error'), /^New password /, 'the server’s message under New password, named by its label');
      if (/newPassword|new_password/i.test(message)) fail(`the message names the raw field: "${message}"`);
      if (await page.getByRole('dialog').count()) fail('a "confirm it’s you" dialog opened although the form has the current password');
      await form.getByLabel('New password', { exact: true }).fill(newPassword);
      await form.getByLabel('Repeat new password').fill(newPassword);
      await form.getByRole('button', { name: 'Change password' }).click();
      await expectText(page.locator('#password-alert'), /Password changed/, 'the success message');
      if (await page.getByRole('dialog').count()) fail('a "confirm it’s you" dialog opened although the form has the current password');
      if (!sent.includes('POST /api/auth/login')) fail('the form never logged in again with the current password (the token after a reload is not fresh)');
    } finally {
      page.off('request', track);
    }
    await shot('password');
  });

  await step('the sessions page lists this device; logging out this device works', async () => {
    await navTo('Sessions', 'Sessions');
    const current = page.locator('.session.current');
    await expectText(current, /This device/, 'the current session');
    await shot('sessions', async (size) => {
      const m = await current.evaluate((li) => {
        const ua = li.querySelector('.session-ua');
        return {
          row: li.getBoundingClientRect().width,
          text: li.querySelector('.session-body').getBoundingClientRect().width,
          uaCut: ua ? ua.scrollWidth > ua.clientWidth + 1 || ua.textContent !== navigator.userAgent : true,
        };
      });
      if (m.text < m.row * 0.6) fail(`at ${size} size the current session's text is squeezed into ${Math.round(m.text)}px of a ${Math.round(m.row)}px row`);
      if (m.uaCut) fail(`at ${size} size the session's user agent is cut short`);
    });
    await current.getByRole('button', { name: 'Log out this device' }).click();
    await heading('Welcome back');
  });

  await step('the old password no longer works, the new one does', async () => {
    await logIn(username, password);
    await expectText(page.locator('#login-alert'), /./, 'the wrong-password message');
    await logIn(username, newPassword);
    await heading('Dashboard');
  });

  // Stands in for the user's authenticator app: the code for the key the page showed.
  const appCode = (secret, timestamp) => new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp });
  let totpSecret = '';
  let recoveryCodes = [];

  await step('the user turns on two-factor login with the manual key and a code, and gets ten recovery codes', async () => {
    await heading('Dashboard');
    await page.getByRole('button', { name: 'Set up two-factor login' }).click();
    await visible(page.locator('#two-factor-qr'), 'the QR code');
    totpSecret = (await textOf(page.locator('#two-factor-secret'))).replace(/\s/g, '');
    if (!/^[A-Z2-7]{32}$/.test(totpSecret)) fail(`the manual key "${totpSecret}" is not a base32 secret`);
    await shot('two-factor-setup');
    const form = page.locator('#two-factor-confirm');
    await form.getByLabel('Code from the app').fill(appCode(totpSecret, Date.now()));
    await form.getByRole('button', { name: 'Turn on' }).click();
    await visible(page.locator('#recovery-codes'), 'the recovery codes');
    recoveryCodes = (await page.locator('#recovery-codes code').allTextContents()).map((code) => code.trim());
    if (recoveryCodes.length !== 10) fail(`expected 10 recovery codes, got ${recoveryCodes.length}`);
    await visible(page.getByRole('link', { name: 'Download' }), 'the download link for the codes');
    await shot('two-factor-codes');
    await page.getByRole('button', { name: 'Done' }).click();
    await expectText(page.locator('#two-factor-status'), /on/, 'the two-factor status');
    const focused = await page.evaluate(() => document.activeElement?.id);
    if (focused !== 'two-factor-new-codes') fail(`after Done, keyboard focus is on "${focused}", not the card's first button`);
  });

  await step('after logging out, the login asks for the app’s code and accepts it', async () => {
    await page.locator('#logout-button').click();
    await heading('Welcome back');
    await logIn(username, newPassword);
    const form = await visible(page.locator('#mfa'), 'the two-factor step');
    await shot('login-two-factor');
    // The set-up used this 30-second step's code; the next step's is within the allowed drift.
    await form.getByLabel('Authentication code').fill(appCode(totpSecret, Date.now() + 30_000));
    await form.getByRole('button', { name: 'Verify' }).click();
    await heading('Dashboard');
  });

  await step('after logging out, a recovery code opens the account too', async () => {
    await page.locator('#logout-button').click();
    await heading('Welcome back');
    await logIn(username, newPassword);
    const form = await visible(page.locator('#mfa'), 'the two-factor step');
    await form.getByLabel('Authentication code').fill('000000');
    await form.getByRole('button', { name: 'Verify' }).click();
    await expectText(page.locator('#mfa'), /not correct/, 'the wrong-code message');
    await form.getByLabel('Authentication code').fill(recoveryCodes[0]);
    await form.getByRole('button', { name: 'Verify' }).click();
    await heading('Dashboard');
  });

  await step('the user turns two-factor login off again (the later steps log in with the password alone)', async () => {
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('button', { name: 'Yes, turn off' }).click();
    await expectText(page.locator('#two-factor-status'), /off/, 'the two-factor status');
    await visible(page.getByRole('button', { name: 'Set up two-factor login' }), 'the set-up button again');
    const focused = await page.evaluate(() => document.activeElement?.id);
    if (focused !== 'two-factor-setup') fail(`after turning off, keyboard focus is on "${focused}", not the set-up button`);
  });

  await step('log out everywhere ends on the login screen, and a reload stays there', async () => {
    await navTo('Sessions', 'Sessions');
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    // Nothing happens before the user confirms.
    const confirm = page.getByRole('group', { name: 'Confirm logging out everywhere' });
    await visible(confirm, 'the confirmation for logging out everywhere');
    await heading('Sessions');
    await shot('sessions-confirm');
    await confirm.getByRole('button', { name: 'Yes, log out everywhere' }).click();
    await heading('Welcome back');
    await expectText(page.locator('main [role=status]').first(), /every device/i, 'the logged-out notice');
    await page.reload();
    await heading('Welcome back');
    await page.waitForTimeout(300);
    if (!(await page.getByRole('heading', { name: 'Welcome back' }).isVisible())) fail('after logging out everywhere a reload left the login screen');
    await shot('login');
    checkPage();
  });

  await step('the user adds a passkey on the dashboard and signs in with it (Chromium virtual authenticator)', async () => {
    // A platform authenticator with user verification, driven through the DevTools protocol.
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await logIn(username, newPassword);
    await heading('Dashboard');
    const passkeys = page.locator('#passkey');
    await passkeys.getByLabel('Name').fill('Chromium');
    await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
    await visible(page.locator('li[data-passkey-id]', { hasText: 'Chromium' }), 'the new passkey in the list');
    await shot('passkeys');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    if (credentials.length !== 1 || !credentials[0].isResidentCredential) fail(`expected one discoverable credential, got ${JSON.stringify(credentials)}`);
    await page.locator('#logout-button').click();
    await heading('Welcome back');
    const answer = page.waitForResponse((r) => pathOf(r.url()) === '/api/auth/passkeys/authentication' && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    if ((await answer).status() !== 200) fail('the passkey login was refused');
    await heading('Dashboard');
    await page.locator('#logout-button').click();
    await heading('Welcome back');
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    checkPage();
  });

  await step('a locked account is told when to try again (Retry-After)', async () => {
    let locked = null;
    for (let i = 0; i < 8 && !locked; i += 1) {
      const answer = page.waitForResponse((r) => pathOf(r.url()) === '/api/auth/login' && r.request().method() === 'POST');
      await logIn(username, `not the password ${i}`);
      const res = await answer;
      if (res.status() === 429) locked = res;
      else await expectText(page.locator('#login-alert'), /./, 'the wrong-password message');
    }
    if (!locked) fail('no 429 after repeated wrong passwords');
    const seconds = Number(locked.headers()['retry-after']);
    if (!(seconds > 0)) fail(`the 429 carries no usable Retry-After (${locked.headers()['retry-after']})`);
    const minutes = Math.ceil(seconds / 60);
    const text = await expectText(page.locator('#login-alert'), /Try again in/, 'when to try again');
    if (!new RegExp(`Try again in ${minutes} minutes? \\(at \\d{1,2}:\\d\\d\\)`).test(text)) fail(`expected "Try again in ${minutes} minutes (at hh:mm)", got "${text}"`);
    if (/later/i.test(text)) fail(`the lockout message still says "later": "${text}"`);
    await shot('login-locked');
    checkPage();
  });

  if (!outbox) {
    log('  note: no outbox to read (BROWSER_TEST_OUTBOX unset): the email steps are skipped');
    return;
  }

  await step('the verification link from the sign-up mail verifies the address', async () => {
    const link = await mailedLink(outbox, email, 'verify-email');
    await page.goto(link);
    await heading('Email address verified');
    if (page.url().includes('token=')) fail('the verification token stayed in the address bar');
    await shot('email-verified');
  });

  await step('"Continue with Test OP" signs in through the OpenID Provider, links by the verified email, and the account page unlinks it', async () => {
    if (!oidc) return log('  note: no OpenID Provider for a running instance: skipped');
    await page.goto(`${baseUrl}/login`);
    await heading('Welcome back');
    // A provider account with the same, verified address: the login links it to this user.
    oidc.account = `sub-${suffix}`;
    oidc.claims = { email, email_verified: true, name: 'Reader at Test OP' };
    const exchanged = page.waitForResponse((r) => pathOf(r.url()) === '/api/auth/oidc/exchange' && r.request().method() === 'POST');
    await page.getByRole('link', { name: 'Continue with Test OP' }).click();
    const answer = await exchanged;
    if (answer.status() !== 200) fail(`the OIDC exchange answered ${answer.status()}`);
    await heading('Dashboard');
    if (page.url().includes('code=')) fail('the one-time login code stayed in the address bar');
    const identity = page.locator('li[data-provider="test"]');
    await visible(identity, 'the linked identity on the account page');
    await expectText(identity, /Test OP/, 'the provider’s name');
    await shot('oidc-identities');
    await identity.getByRole('button', { name: /Unlink/ }).click();
    await gone(identity, 'the unlinked identity');
    await page.locator('#logout-button').click();
    await heading('Welcome back');
    // A provider refusal ends on the login page with a readable message. (The provider's own
    // session cookie would sign the user in again without asking: start without it.)
    await context.clearCookies({ domain: '127.0.0.1' });
    oidc.deny = true;
    await page.getByRole('link', { name: 'Continue with Test OP' }).click();
    await heading('Welcome back');
    await expectText(page.locator('main [role=status]').first(), /cancelled at the provider/, 'the access_denied message');
    if (page.url().includes('error=')) fail('the error code stayed in the address bar');
    await shot('login-oidc-error');
    checkPage();
  });

  await step('a user without a password confirms a sensitive change with "Confirm with Test OP" and comes back to the same page', async () => {
    if (!oidc) return log('  note: no OpenID Provider for a running instance: skipped');
    // A provider account with an address no user has: its first login makes an account with no
    // password, pending approval on this instance. (Start without the provider's own session.)
    await context.clearCookies({ domain: '127.0.0.1' });
    oidc.deny = false;
    oidc.account = `sub-new-${suffix}`;
    const opEmail = `op_${suffix}@example.test`;
    oidc.claims = { email: opEmail, email_verified: true, name: 'Provider-only reader', preferred_username: `op_${suffix}` };
    await page.goto(`${baseUrl}/login`);
    await heading('Welcome back');
    await page.getByRole('link', { name: 'Continue with Test OP' }).click();
    await heading('Welcome back');
    await expectText(page.locator('main [role=status]').first(), /pending approval/i, 'the "pending approval" message for the new provider account');
    // The admin approves it through the API (its own, body-mode login: the browser's cookies stay as they are).
    const adminLogin = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: adminUsername, password: adminPassword }) });
    if (adminLogin.status !== 200) fail(`the admin's API login answered ${adminLogin.status}`);
    const adminAuth = { Authorization: `Bearer ${(await adminLogin.json()).accessToken}` };
    const pending = await (await fetch(`${baseUrl}/api/users?status=pending&q=${encodeURIComponent(opEmail)}`, { headers: adminAuth })).json();
    const opUser = pending.items?.find((u) => u.email === opEmail);
    if (!opUser) fail(`the provider's new account (${opEmail}) is not among the pending users: ${JSON.stringify(pending).slice(0, 300)}`);
    const approved = await fetch(`${baseUrl}/api/users/${opUser.id}`, { method: 'PATCH', headers: { ...adminAuth, 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'active' }) });
    if (approved.status !== 200) fail(`approving ${opUser.username} answered ${approved.status}`);

    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.getByRole('link', { name: 'Continue with Test OP' }).click();
    await heading('Dashboard');
    await expectText(page.locator('[data-testid=profile-username]'), new RegExp(`^${opUser.username}$`), 'the provider account’s username');
    await page.reload(); // the access token now comes from a refresh: not fresh
    await heading('Dashboard');
    const passkeys = page.locator('#passkey');
    const dialog = page.getByRole('dialog');
    const addPasskey = async () => {
      await passkeys.getByLabel('Name').fill('Provider phone');
      await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
    };
    await addPasskey();
    await visible(dialog, 'the "confirm it’s you" dialog (POST /api/auth/passkeys/registration/options should answer 401 "fresh" to a refreshed token)');
    const confirmWith = dialog.getByRole('link', { name: 'Confirm with Test OP' });
    await visible(confirmWith, '"Confirm with Test OP" in the dialog (the user has linked Test OP)');
    await visible(dialog.getByLabel('Password', { exact: true }), 'the password field beside the provider button');
    await expectText(dialog, /You will come back here; then repeat the action\./, 'what happens after the provider');
    await shot('confirm-dialog-provider', async (size) => {
      const problems = await page.evaluate(() => {
        const box = document.querySelector('dialog[open]')?.getBoundingClientRect();
        if (!box) return ['no open dialog'];
        const out = [];
        if (box.left < -1 || box.right > document.documentElement.clientWidth + 1) out.push(`the dialog spans ${Math.round(box.left)}–${Math.round(box.right)}px`);
        for (const el of document.querySelectorAll('dialog[open] input:not([hidden]), dialog[open] button, dialog[open] a, dialog[open] p')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0) continue;
          if (r.left < box.left - 1 || r.right > box.right + 1) out.push(`${el.tagName.toLowerCase()} "${(el.textContent || '').trim().slice(0, 30)}" sticks out of the dialog`);
        }
        return out;
      });
      if (problems.length) fail(`the dialog does not fit (${size}):\n      ${problems.join('\n      ')}`);
    });
    // Escape cancels as before, and focus goes back to the button that opened the dialog.
    await page.keyboard.press('Escape');
    await gone(dialog, 'the dialog after Escape');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    if (focused !== 'Add a passkey') fail(`after Escape the focus is on "${focused}", not on "Add a passkey"`);
    await addPasskey();
    await visible(confirmWith, '"Confirm with Test OP" again');
    const href = await confirmWith.getAttribute('href');
    if (href !== '/api/auth/oidc/test/authorize?returnTo=%2Fdashboard') fail(`"Confirm with Test OP" goes to ${href}, not back to /dashboard`);
    const exchanged = page.waitForResponse((r) => pathOf(r.url()) === '/api/auth/oidc/exchange' && r.request().method() === 'POST');
    await confirmWith.click();
    if ((await exchanged).status() !== 200) fail('the OIDC exchange after "Confirm with Test OP" was refused');
    await heading('Dashboard');
    if (pathOf(page.url()) !== '/dashboard') fail(`the round trip ended at ${page.url()}, not at /dashboard`);
    await expectText(page.locator('[data-testid=profile-username]'), new RegExp(`^${opUser.username}$`), 'the same user after the round trip');
    // The fresh session lets the repeated action through, without the dialog.
    await addPasskey();
    await visible(page.locator('li[data-passkey-id]', { hasText: 'Provider phone' }), 'the new passkey after confirming with the provider');
    if (await dialog.isVisible()) fail('the dialog asked again after the provider round trip');
    // The session the round trip replaced was ended: this device's is the only one left.
    await navTo('Sessions', 'Sessions');
    await visible(page.locator('.session.current'), 'the current session');
    const sessionRows = page.locator('ul.sessions > li');
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while ((await sessionRows.count()) !== 1 && Date.now() < deadline) {
      await page.waitForTimeout(200);
      if ((await sessionRows.count()) !== 1) await page.reload();
      await heading('Sessions');
    }
    if ((await sessionRows.count()) !== 1) fail(`expected one session after the round trip (the replaced one ended), found ${await sessionRows.count()}`);
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    await page.locator('#logout-button').click();
    await heading('Welcome back');
    checkPage();
  });

  await step('"Forgot password?" on the login page mails a reset link', async () => {
    await page.goto(`${baseUrl}/#/login`);
    await heading('Welcome back');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await heading('Forgot your password?');
    await page.locator('#forgot').getByLabel('Email').fill(email);
    await page.locator('#forgot').getByRole('button', { name: 'Send reset link' }).click();
    await expectText(page.locator('#forgot-alert'), /link/i, 'the "link is on its way" message');
    await shot('forgot-password');
  });

  await step('the reset link sets a new password; the user logs in with it by email address', async () => {
    const link = await mailedLink(outbox, email, 'reset-password');
    await page.goto(link);
    await heading('Choose a new password');
    await shot('reset-password');
    const form = page.locator('#reset');
    await form.getByLabel('New password', { exact: true }).fill(resetPassword);
    await form.getByLabel('Repeat new password').fill(resetPassword);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await heading('Welcome back');
    await expectText(page.locator('main [role=status]').first(), /password is set/i, 'the "password is set" notice');
    await logIn(email, newPassword);
    await expectText(page.locator('#login-alert'), /invalid/i, 'the refusal of the old password');
    await logIn(email, resetPassword);
    await heading('Dashboard');
    if (await page.locator('#email-banner').isVisible()) fail('the "verify your address" banner is still shown after verifying');
    checkPage();
  });
}

/** The newest link to `page` in a mail to `to` in the outbox, waiting for the mail to be written. */
async function mailedLink(outbox, to, page) {
  const { simpleParser } = await import('mailparser');
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const files = existsSync(outbox) ? readdirSync(outbox).filter((name) => name.endsWith('.eml')).sort().reverse() : [];
    for (const file of files) {
      const mail = await simpleParser(readFileSync(path.join(outbox, file)));
      if (mail.to?.value?.[0]?.address !== to) continue;
      const match = new RegExp(`https?://\\S+/#/${page}\\?token=[A-Za-z0-9_-]+`).exec(mail.text ?? '');
      if (match) return match[0];
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  fail(`no ${page} mail to ${to} in the outbox ${outbox}`);
}

// ---- main ---------------------------------------------------------------------------------

async function cleanup() {
  if (context) await context.close().catch(() => undefined);
  context = null;
  await stopServer().catch(() => undefined);
  if (oidc) await new Promise((resolve) => oidc.server.close(resolve));
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
