// Path routing with the History API: /path?query. Each navigation renders one view into
// <div id="view"> and moves focus to its heading so screen-reader and keyboard users land
// on the page. The server answers index.html for these paths, so a reload or a typed
// address works; old #/path links (bookmarks, mails) are translated on arrival.

export interface Notice {
  text: string;
  kind: 'success' | 'info' | 'error';
}

export interface ViewContext {
  root: HTMLElement;
  path: string;
  params: URLSearchParams;
  navigate(path: string, notice?: Notice): void;
  /** Rewrites the query in the address bar without re-rendering (filters, paging). */
  replaceParams(params: URLSearchParams): void;
  takeNotice(): Notice | null;
  takeReturnTo(): string | null;
  focusHeading(): void;
  /** False once the user navigated elsewhere: async work should stop touching the page. */
  isCurrent(): boolean;
}

export interface Route {
  view: (ctx: ViewContext) => void | Promise<void>;
  title: string;
  access: 'public' | 'guest' | 'user' | 'admin';
}

let pendingNotice: Notice | null = null;
let returnTo: string | null = null;
let renderCount = 0;
let onChange: () => void = () => undefined;

export function currentRoute(): { path: string; params: URLSearchParams } {
  const path = location.pathname.replace(/\/+$/, '') || '/';
  return { path, params: new URLSearchParams(location.search) };
}

/** Turns an old-style #/path?query address into /path?query; true when it did. */
export function translateHashLink(): boolean {
  if (!location.hash.startsWith('#/')) return false;
  history.replaceState(history.state, '', location.hash.slice(1));
  return true;
}

/** Renders again on Back/Forward, on old #/ links, and after navigate(). */
export function startRouter(render: () => void): void {
  onChange = render;
  translateHashLink();
  window.addEventListener('popstate', render);
  window.addEventListener('hashchange', () => {
    if (translateHashLink()) render();
  });
  // Same-origin links are followed without a page load.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a[href]');
    if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute('download')) return;
    const href = link.getAttribute('href') ?? '';
    if (href.startsWith('#') && !href.startsWith('#/')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || /^\/(api|docs)(\/|$)/.test(url.pathname)) return;
    event.preventDefault();
    navigate(`${url.pathname}${url.search}`);
  });
}

export function setNotice(notice: Notice | null): void {
  pendingNotice = notice;
}

export function setReturnTo(path: string | null): void {
  returnTo = path;
}

export function navigate(path: string, notice?: Notice): void {
  if (notice) pendingNotice = notice;
  if (`${location.pathname}${location.search}` !== path || location.hash) history.pushState(null, '', path);
  onChange();
}

/** Like navigate(), but the current entry is replaced (redirects should not stay in Back). */
export function redirect(path: string, notice?: Notice): void {
  if (notice) pendingNotice = notice;
  history.replaceState(null, '', path);
  onChange();
}

export function focusHeading(root: HTMLElement): void {
  const heading = root.querySelector<HTMLElement>('h1');
  if (heading) {
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

export function createContext(root: HTMLElement, path: string, params: URLSearchParams): ViewContext {
  const id = ++renderCount;
  return {
    root,
    path,
    params,
    navigate,
    replaceParams(next) {
      const q = next.toString();
      history.replaceState(history.state, '', `${path}${q ? `?${q}` : ''}`);
    },
    takeNotice() {
      const n = pendingNotice;
      pendingNotice = null;
      return n;
    },
    takeReturnTo() {
      const r = returnTo;
      returnTo = null;
      return r;
    },
    focusHeading: () => focusHeading(root),
    isCurrent: () => id === renderCount,
  };
}
