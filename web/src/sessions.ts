import * as http from './api.js';
import { ApiError, type Session } from './api.js';
import { badge, card, h, icon, pageHeader, replace, spinner, srOnly, timeEl, toast } from './dom.js';
import type { ViewContext } from './router.js';
import * as session from './session.js';

/** "Chrome on Linux" from a user-agent string; good enough to recognise a device. */
export function describeAgent(ua: string | null): string {
  if (!ua) return 'Unknown device';
  const browser =
    /Edg\//.test(ua) ? 'Edge'
    : /OPR\//.test(ua) ? 'Opera'
    : /Firefox\//.test(ua) ? 'Firefox'
    : /HeadlessChrome|Chromium|Chrome\//.test(ua) ? (/HeadlessChrome/.test(ua) ? 'Headless Chrome' : 'Chrome')
    : /Safari\//.test(ua) ? 'Safari'
    : /curl|node|undici|axios|python|Go-http/i.test(ua) ? 'Script'
    : 'Browser';
  const os =
    /Android/.test(ua) ? 'Android'
    : /iPhone|iPad|iOS/.test(ua) ? 'iOS'
    : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X|Macintosh/.test(ua) ? 'macOS'
    : /CrOS/.test(ua) ? 'ChromeOS'
    : /Linux/.test(ua) ? 'Linux'
    : '';
  return os ? `${browser} on ${os}` : browser;
}

export function sessionsView(ctx: ViewContext): void {
  const listArea = h('div', { class: 'session-list', 'aria-live': 'polite' }, spinner('Loading sessions…'));
  const everywhereArea = h('div');
  const everywhere = h('button', { type: 'button', class: 'btn btn-danger', onclick: () => askEverywhere() }, 'Log out everywhere');
  everywhereArea.append(everywhere);

  replace(
    ctx.root,
    pageHeader('Sessions', 'Every device and browser where you are logged in.'),
    h('section', { class: 'card', 'aria-labelledby': 'sessions-title' }, h('h2', { class: 'card-title', id: 'sessions-title' }, 'Active sessions'), listArea),
    card(
      h('h2', { class: 'card-title' }, 'Log out everywhere'),
      h('p', { class: 'muted' }, 'Ends every session of your account, including this one. Use it if you lost a device or think someone else has access.'),
      everywhereArea,
    ),
  );

  async function load(): Promise<void> {
    let sessions: Session[];
    try {
      sessions = await http.ok(http.api.GET('/api/auth/sessions'));
    } catch (err) {
      if (!ctx.isCurrent() || (err instanceof ApiError && err.sessionLost)) return;
      replace(listArea, h('div', { class: 'alert alert-error', role: 'alert' }, err instanceof Error ? err.message : 'Could not load sessions.'));
      return;
    }
    if (!ctx.isCurrent()) return;
    sessions.sort((a, b) => Number(b.current) - Number(a.current) || (b.lastUsedAt ?? b.createdAt).localeCompare(a.lastUsedAt ?? a.createdAt));
    replace(listArea, h('ul', { class: 'sessions' }, sessions.map(item)));
  }

  function item(s: Session): HTMLElement {
    const device = describeAgent(s.userAgent);
    const btn = h(
      'button',
      { type: 'button', class: s.current ? 'btn btn-secondary btn-sm' : 'btn btn-danger-outline btn-sm', onclick: () => void end(s, btn) },
      s.current ? 'Log out this device' : ['Log out', srOnly(` ${device}`)],
    );
    return h(
      'li',
      { class: s.current ? 'session current' : 'session', 'data-session-id': s.id },
      h('span', { class: 'session-icon', 'aria-hidden': 'true' }, icon(/Android|iPhone|iPad|Mobile/.test(s.userAgent ?? '') ? 'phone' : 'laptop')),
      h(
        'div',
        { class: 'session-body' },
        h('p', { class: 'session-device' }, device, s.current ? badge('This device', 'success') : null),
        h(
          'p',
          { class: 'muted session-meta' },
          s.ip ? `IP ${s.ip} · ` : '',
          'Signed in ',
          timeEl(s.createdAt),
          ' · Last active ',
          timeEl(s.lastUsedAt ?? s.createdAt),
        ),
        s.userAgent ? h('p', { class: 'session-ua', title: s.userAgent }, s.userAgent) : null,
      ),
      btn,
    );
  }

  async function end(s: Session, btn: HTMLButtonElement): Promise<void> {
    btn.setAttribute('aria-disabled', 'true');
    if (s.current) {
      await session.signOut();
      ctx.navigate('/login', { text: 'You were logged out on this device.', kind: 'info' });
      return;
    }
    try {
      await http.ok(http.api.DELETE('/api/auth/sessions/{id}', { params: { path: { id: s.id } } }));
      toast(`${describeAgent(s.userAgent)} was logged out.`);
    } catch (err) {
      if (err instanceof ApiError && err.sessionLost) return;
      if (!(err instanceof ApiError && err.status === 404)) {
        btn.removeAttribute('aria-disabled');
        toast(err instanceof Error ? err.message : 'Could not end that session.', 'error');
        return;
      }
    }
    await load();
    document.getElementById('sessions-title')?.setAttribute('tabindex', '-1');
    document.getElementById('sessions-title')?.focus();
  }

  /** Ending every session (this one too) cannot be undone: ask first. */
  function askEverywhere(): void {
    const yes = h('button', { type: 'button', class: 'btn btn-danger', onclick: () => void logoutEverywhere(yes) }, 'Yes, log out everywhere');
    const cancel = h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { replace(everywhereArea, everywhere); everywhere.focus(); } }, 'Cancel');
    replace(
      everywhereArea,
      h(
        'div',
        { class: 'confirm', role: 'group', 'aria-label': 'Confirm logging out everywhere' },
        h('p', null, 'Log out on every device, including this one? You will need your password to log in again.'),
        h('div', { class: 'confirm-actions' }, yes, cancel),
      ),
    );
    yes.focus();
  }

  async function logoutEverywhere(btn: HTMLButtonElement): Promise<void> {
    btn.setAttribute('aria-disabled', 'true');
    try {
      await session.signOutEverywhere();
    } catch (err) {
      if (err instanceof ApiError && err.sessionLost) return;
      btn.removeAttribute('aria-disabled');
      toast(err instanceof Error ? err.message : 'Could not log out everywhere.', 'error');
      return;
    }
    ctx.navigate('/login', { text: 'You were logged out on every device.', kind: 'info' });
  }

  void load();
}
