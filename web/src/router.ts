// Hash routing: #/path?query. Each navigation renders one view into <div id="view">
// and moves focus to its heading so screen-reader and keyboard users land on the page.

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

export function parseHash(): { path: string; params: URLSearchParams } {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, params: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '') };
}

export function setNotice(notice: Notice | null): void {
  pendingNotice = notice;
}

export function setReturnTo(path: string | null): void {
  returnTo = path;
}

export function navigate(path: string, notice?: Notice): void {
  if (notice) pendingNotice = notice;
  const target = `#${path}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
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
      history.replaceState(history.state, '', `#${path}${q ? `?${q}` : ''}`);
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
