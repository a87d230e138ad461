import { adminView } from './admin.js';
import * as http from './api.js';
import { loginView, registerView, welcomeView } from './auth-views.js';
import { authorsView } from './authors.js';
import { dashboardView } from './dashboard.js';
import { emailSettingsView, forgotPasswordView, refreshEmailBanner, resetPasswordView, verifyEmailView } from './email.js';
import { clearToasts, h, replace, toast } from './dom.js';
import { oidcView } from './oidc.js';
import { passwordView } from './password.js';
import { createContext, currentRoute, focusHeading, navigate, redirect, setNotice, setReturnTo, startRouter, type Route } from './router.js';
import * as session from './session.js';
import { sessionsView } from './sessions.js';

const APP_NAME = 'Shelf';

const routes: Record<string, Route> = {
  '/login': { view: loginView, title: 'Log in', access: 'guest' },
  '/register': { view: registerView, title: 'Sign up', access: 'guest' },
  '/welcome': { view: welcomeView, title: 'Account created', access: 'guest' },
  '/dashboard': { view: dashboardView, title: 'Dashboard', access: 'user' },
  '/authors': { view: authorsView, title: 'Authors', access: 'user' },
  '/password': { view: passwordView, title: 'Change password', access: 'user' },
  '/sessions': { view: sessionsView, title: 'Sessions', access: 'user' },
  '/admin': { view: adminView, title: 'Administration', access: 'admin' },
  '/forgot-password': { view: forgotPasswordView, title: 'Forgot password', access: 'guest' },
  '/reset-password': { view: resetPasswordView, title: 'Reset password', access: 'public' },
  '/verify-email': { view: verifyEmailView, title: 'Verify email', access: 'public' },
  '/oidc': { view: oidcView, title: 'Signing in', access: 'public' },
  '/email': { view: emailSettingsView, title: 'Email', access: 'user' },
};

const viewRoot = document.getElementById('view') as HTMLElement;
let firstRender = true;

function updateNav(): void {
  const me = session.user();
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-auth]'))) {
    const need = el.dataset['auth'];
    el.hidden = need === 'in' ? !me : need === 'out' ? Boolean(me) : need === 'admin' ? me?.role !== 'admin' : false;
  }
  const name = document.getElementById('nav-username');
  if (name) name.textContent = me ? me.name || me.username : '';
  const { path } = currentRoute();
  for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('#nav a[href^="/"]'))) {
    if (link.getAttribute('href') === path) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function render(): Promise<void> {
  const { path, params } = currentRoute();
  const me = session.user();
  const route = routes[path];
  // A dialog or an open menu belongs to the page it was opened on (Back must not keep it).
  closeOverlays();
  if (!route) {
    redirect(me ? '/dashboard' : '/login');
    return;
  }
  if (route.access === 'guest' && me) {
    redirect('/dashboard');
    return;
  }
  if ((route.access === 'user' || route.access === 'admin') && !me) {
    setReturnTo(path === '/dashboard' ? null : `${path}${params.toString() ? `?${params}` : ''}`);
    redirect('/login');
    return;
  }
  if (route.access === 'admin' && me?.role !== 'admin') {
    redirect('/dashboard', { text: 'The administration pages are for administrators only.', kind: 'error' });
    return;
  }
  document.title = `${route.title} · ${APP_NAME}`;
  updateNav();
  refreshEmailBanner();
  document.body.dataset['route'] = path.slice(1);
  const ctx = createContext(viewRoot, path, params);
  const rendered = route.view(ctx);
  // Land keyboard and screen-reader users on the new page's heading. The first page
  // load keeps the browser's natural starting point.
  if (!firstRender) focusHeading(viewRoot);
  firstRender = false;
  window.scrollTo({ top: 0 });
  await rendered;
}

function renderSafely(): void {
  render().catch((err: unknown) => {
    console.error(err);
    replace(viewRoot, h('div', { class: 'alert alert-error', role: 'alert' }, 'Something went wrong while showing this page. Please reload.'));
  });
}

async function start(): Promise<void> {
  session.onUserChange(updateNav);
  // A toast or notice was meant for whoever was signed in when it appeared.
  let lastUserId = session.user()?.id ?? null;
  // The page a lost session was on is for that user to return to, not for the next one.
  let lostUserId: string | null = null;
  session.onUserChange((next) => {
    const id = next?.id ?? null;
    if (id !== lastUserId) clearToasts();
    if (id && lostUserId && id !== lostUserId) setReturnTo(null);
    if (id) lostUserId = null;
    lastUserId = id;
  });
  http.onSessionLost(() => {
    if (!session.user()) return;
    lostUserId = session.user()?.id ?? null;
    session.dropSession();
    const { path, params } = currentRoute();
    setReturnTo(path === '/login' || path === '/register' ? null : `${path}${params.toString() ? `?${params}` : ''}`);
    setNotice({ text: 'Your session has ended. Please log in again.', kind: 'info' });
    navigate('/login');
  });

  document.getElementById('logout-button')?.addEventListener('click', () => {
    void session.signOut().then(() => navigate('/login', { text: 'You have been logged out.', kind: 'info' }));
  });
  document.querySelector<HTMLAnchorElement>('.skip-link')?.addEventListener('click', (event) => {
    // Lands on the page's heading rather than adding #main to the address.
    event.preventDefault();
    focusHeading(viewRoot);
  });
  setUpMenu();

  await session.restore();
  document.body.classList.remove('booting');
  startRouter(renderSafely);
  renderSafely();
}

/** Phone widths: the navigation folds into a "Menu" disclosure button. */
function setUpMenu(): void {
  const toggle = document.getElementById('nav-toggle');
  if (!toggle) return;
  toggle.addEventListener('click', () => setMenuOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && toggle.getAttribute('aria-expanded') === 'true') {
      setMenuOpen(false);
      toggle.focus();
    }
  });
}

function setMenuOpen(open: boolean): void {
  document.getElementById('nav-toggle')?.setAttribute('aria-expanded', String(open));
  document.querySelector('.topbar')?.classList.toggle('menu-open', open);
}

function closeOverlays(): void {
  setMenuOpen(false);
  for (const dialog of Array.from(document.querySelectorAll('dialog'))) {
    if (dialog.open) dialog.close();
  }
}

window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof http.ApiError && event.reason.sessionLost) {
    event.preventDefault();
    return;
  }
  toast('Something went wrong. Please try again.', 'error');
});

void start();
