// Tiny DOM helpers. Everything is built with createElement/textContent: no innerHTML,
// so API data can never become markup, and nothing needs an inline style or script.

type AttrValue = string | number | boolean | null | undefined;
type Handler = (event: Event) => void;
export type Attrs = Record<string, AttrValue | Handler>;
export type Child = Node | string | number | null | undefined | false | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (typeof value === 'function') {
        el.addEventListener(key.slice(2).toLowerCase(), value);
      } else if (key === 'class') {
        if (value) el.className = String(value);
      } else if (key === 'value' && 'value' in el) {
        (el as HTMLInputElement).value = value == null ? '' : String(value);
      } else if (key === 'checked' && el instanceof HTMLInputElement) {
        el.checked = Boolean(value);
      } else if (value === true) {
        el.setAttribute(key, '');
      } else if (value !== false && value != null) {
        el.setAttribute(key, String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** Text only screen readers get (e.g. which row a "Delete" button acts on). */
export function srOnly(text: string): HTMLSpanElement {
  return h('span', { class: 'sr-only' }, text);
}

let uid = 0;
export function uniqueId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateTime.format(d);
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : dateOnly.format(d);
}

export function timeEl(value: string | null | undefined, withTime = true): HTMLElement {
  if (!value) return h('span', null, '—');
  return h('time', { datetime: value }, withTime ? formatDateTime(value) : formatDate(value));
}

let toastTimer: number | undefined;

/** A visible, politely announced status message. */
export function toast(message: string, kind: 'success' | 'info' | 'error' = 'success'): void {
  const region = document.getElementById('toast-region');
  if (!region) return;
  window.clearTimeout(toastTimer);
  replace(region, h('div', { class: `toast toast-${kind}` }, message));
  toastTimer = window.setTimeout(() => region.replaceChildren(), 6000);
}

export function clearToasts(): void {
  window.clearTimeout(toastTimer);
  document.getElementById('toast-region')?.replaceChildren();
}

export function button(
  label: Child,
  onClick: (event: Event) => void,
  opts: { variant?: 'primary' | 'secondary' | 'danger' | 'ghost' | 'link'; small?: boolean; type?: 'button' | 'submit'; attrs?: Attrs } = {},
): HTMLButtonElement {
  const cls = ['btn', `btn-${opts.variant ?? 'secondary'}`, opts.small ? 'btn-sm' : ''].filter(Boolean).join(' ');
  return h('button', { type: opts.type ?? 'button', class: cls, onclick: onClick, ...opts.attrs }, label);
}

export function card(...children: Child[]): HTMLElement {
  return h('section', { class: 'card' }, ...children);
}

export function pageHeader(title: string, subtitle?: string, actions?: Child): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('div', null, h('h1', { tabindex: -1 }, title), subtitle ? h('p', { class: 'muted' }, subtitle) : null),
    actions ? h('div', { class: 'page-actions' }, actions) : null,
  );
}

export function emptyState(title: string, text: string, action?: Child): HTMLElement {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), h('p', { class: 'muted' }, text), action ?? null);
}

export function badge(text: string, tone: 'neutral' | 'success' | 'warning' | 'danger' | 'accent' = 'neutral'): HTMLElement {
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function spinner(label = 'Loading…'): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
}

const ICONS: Record<string, string> = {
  laptop: 'M4 6a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v8H4V6zm-2 10h20v1a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2v-1z',
  phone: 'M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm3 17a1 1 0 1 0 2 0 1 1 0 0 0-2 0z',
  book: 'M5 3h10a4 4 0 0 1 4 4v14H8a3 3 0 0 1-3-3V3zm3 15h9v-1H8a.5.5 0 0 0 0 1z',
};

/** A decorative inline SVG icon (no external files, nothing a CSP would block). */
export function icon(name: keyof typeof ICONS & string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] ?? '');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
