// Accessible forms: every control has a <label for>, hints and errors are tied to it with
// aria-describedby, and the API's validation messages land next to the field they name.

import { ApiError } from './api.js';
import { h, type Attrs, type Child } from './dom.js';
import { strengthMeter, withRevealToggle } from './password-field.js';

export interface FieldSpec {
  name: string;
  label: string;
  type?: string;
  value?: string | null;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  attrs?: Attrs;
  /** For a new password: shows a strength meter; returns words it must not be built from. */
  strength?: () => string[];
}

export interface SelectSpec {
  name: string;
  label: string;
  options: Array<[value: string, label: string]>;
  value?: string;
  hint?: string;
  attrs?: Attrs;
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function describedBy(control: Control): string[] {
  return (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
}

function fieldWrap(id: string, label: string, control: Control, hint: string | undefined, required: boolean, shown: Child = control): HTMLElement {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  if (hint) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field', 'data-field': control.name },
    h('label', { for: id }, label, required ? null : h('span', { class: 'optional' }, ' (optional)')),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    shown,
    h('p', { class: 'field-error', id: errorId, hidden: true }),
  );
}

export function textField(formId: string, spec: FieldSpec): HTMLElement {
  const id = `${formId}-${spec.name}`;
  const input = h('input', {
    id,
    name: spec.name,
    type: spec.type ?? 'text',
    value: spec.value ?? '',
    autocomplete: spec.autocomplete ?? 'off',
    required: spec.required ?? false,
    spellcheck: spec.type === 'password' ? 'false' : null,
    ...spec.attrs,
  });
  const isPassword = spec.type === 'password';
  const wrap = fieldWrap(id, spec.label, input, spec.hint, spec.required ?? false, isPassword ? withRevealToggle(input) : input);
  if (isPassword && spec.strength) wrap.insertBefore(strengthMeter(input, spec.strength), wrap.querySelector('.field-error'));
  return wrap;
}

export function selectField(formId: string, spec: SelectSpec): HTMLElement {
  const id = `${formId}-${spec.name}`;
  const select = h(
    'select',
    { id, name: spec.name, ...spec.attrs },
    spec.options.map(([value, label]) => h('option', { value, selected: value === (spec.value ?? '') }, label)),
  );
  return fieldWrap(id, spec.label, select, spec.hint, true);
}

export function checkboxField(formId: string, name: string, label: string, checked = false, hint?: string): HTMLElement {
  const id = `${formId}-${name}`;
  const hintId = `${id}-hint`;
  return h(
    'div',
    { class: 'field field-check', 'data-field': name },
    h('input', { id, name, type: 'checkbox', checked, 'aria-describedby': hint ? hintId : null }),
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
  );
}

/** The property name a class-validator style message starts with, compared loosely. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export class Form {
  readonly el: HTMLFormElement;
  readonly alert: HTMLElement;
  private busy = false;

  constructor(
    readonly id: string,
    fields: Child[],
    submitLabel: string,
    onSubmit: (form: Form) => Promise<void> | void,
    opts: { extraActions?: Child; label?: string; class?: string } = {},
  ) {
    this.alert = h('div', { class: 'alert alert-error', role: 'alert', id: `${id}-alert`, hidden: true, tabindex: -1 });
    this.el = h(
      'form',
      { id, class: opts.class ?? 'form', novalidate: true, 'aria-label': opts.label ?? null },
      this.alert,
      fields,
      h(
        'div',
        { class: 'form-actions' },
        h('button', { type: 'submit', class: 'btn btn-primary' }, submitLabel),
        opts.extraActions ?? null,
      ),
    );
    this.el.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.busy) return;
      this.clearErrors();
      if (!this.checkRequired()) return;
      this.setBusy(true);
      Promise.resolve()
        .then(() => onSubmit(this))
        .catch((err: unknown) => this.showError(err))
        .finally(() => this.setBusy(false));
    });
  }

  control(name: string): Control {
    const el = this.el.elements.namedItem(name);
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) {
      throw new Error(`No control named ${name} in form ${this.id}`);
    }
    return el;
  }

  value(name: string): string {
    return this.control(name).value;
  }

  checked(name: string): boolean {
    return (this.control(name) as HTMLInputElement).checked;
  }

  fieldNames(): string[] {
    const names = new Set<string>();
    for (const el of Array.from(this.el.elements)) {
      const name = (el as Control).name;
      if (name) names.add(name);
    }
    return [...names];
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.el.setAttribute('aria-busy', String(busy));
    // aria-disabled rather than disabled: a disabled button would drop keyboard focus.
    for (const btn of Array.from(this.el.querySelectorAll<HTMLButtonElement>('button[type=submit]'))) {
      btn.setAttribute('aria-disabled', String(busy));
    }
  }

  clearErrors(): void {
    this.alert.hidden = true;
    this.alert.replaceChildren();
    for (const err of Array.from(this.el.querySelectorAll<HTMLElement>('.field-error'))) {
      err.hidden = true;
      err.replaceChildren();
    }
    for (const el of Array.from(this.el.elements)) {
      const control = el as Control;
      if (!control.name) continue;
      control.removeAttribute('aria-invalid');
      const errorId = `${control.id}-error`;
      const ids = describedBy(control).filter((x) => x !== errorId);
      if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
      else control.removeAttribute('aria-describedby');
    }
  }

  /** The visible label of a field, without "(optional)". */
  labelOf(name: string): string | undefined {
    const control = this.el.elements.namedItem(name) as Control | null;
    if (!control || !('id' in control)) return undefined;
    return this.el.querySelector(`label[for="${control.id}"]`)?.firstChild?.textContent?.trim() || undefined;
  }

  private checkRequired(): boolean {
    const errors: Record<string, string[]> = {};
    for (const el of Array.from(this.el.elements)) {
      const control = el as Control;
      if (control.name && control.required && control.value.trim() === '') {
        const label = this.el.querySelector(`label[for="${control.id}"]`)?.firstChild?.textContent ?? control.name;
        errors[control.name] = [`${label} is required.`];
      }
    }
    if (Object.keys(errors).length === 0) return true;
    this.showFieldErrors(errors, []);
    return false;
  }

  setFieldError(name: string, messages: string[]): boolean {
    const control = this.el.elements.namedItem(name) as Control | null;
    if (!control || !('id' in control)) return false;
    const errorEl = document.getElementById(`${control.id}-error`);
    if (!errorEl) return false;
    errorEl.replaceChildren(...messages.map((m) => h('span', { class: 'field-error-line' }, sentence(m))));
    errorEl.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    const ids = describedBy(control).filter((x) => x !== errorEl.id);
    control.setAttribute('aria-describedby', [...ids, errorEl.id].join(' '));
    return true;
  }

  showAlert(messages: string[], kind: 'error' | 'success' | 'info' = 'error'): void {
    this.alert.className = `alert alert-${kind}`;
    this.alert.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    if (messages.length === 1) this.alert.replaceChildren(sentence(messages[0]!));
    else this.alert.replaceChildren(h('ul', null, messages.map((m) => h('li', null, sentence(m)))));
    this.alert.hidden = false;
  }

  /** Field errors go under their fields, the rest into the form's alert; focus follows. */
  showFieldErrors(byField: Record<string, string[]>, general: string[]): void {
    let first: Control | null = null;
    let count = 0;
    for (const [name, messages] of Object.entries(byField)) {
      if (this.setFieldError(name, messages)) {
        count += 1;
        const control = this.control(name);
        if (!first || (first.compareDocumentPosition(control) & Node.DOCUMENT_POSITION_PRECEDING)) first = control;
      } else {
        general.push(...messages);
      }
    }
    const summary = count > 0 ? [count === 1 ? 'Please correct the highlighted field.' : `Please correct the ${count} highlighted fields.`] : [];
    const lines = [...summary, ...general];
    if (lines.length) this.showAlert(lines);
    if (first) first.focus();
    else this.alert.focus();
  }

  /** Maps an API error's messages to fields by the property name they start with. */
  showError(err: unknown, special: Partial<Record<number, Record<string, string> | string>> = {}): void {
    if (err instanceof ApiError) {
      if (err.sessionLost) return;
      const override = special[err.status];
      if (typeof override === 'string') {
        this.showFieldErrors({}, [override]);
        return;
      }
      if (override) {
        this.showFieldErrors(Object.fromEntries(Object.entries(override).map(([k, v]) => [k, [v]])), []);
        return;
      }
      const names = this.fieldNames().sort((a, b) => b.length - a.length);
      const byField: Record<string, string[]> = {};
      const general: string[] = [];
      for (const message of err.messages) {
        const norm = normalize(message);
        const name = err.status === 400 || err.status === 401 ? names.find((n) => norm.startsWith(normalize(n))) : undefined;
        if (name) (byField[name] ??= []).push(namedAfterLabel(message, this.labelOf(name)));
        else general.push(namedAfterLabel(message));
      }
      this.showFieldErrors(byField, general);
      return;
    }
    console.error(err);
    this.showFieldErrors({}, ['Something went wrong. Please try again.']);
  }
}

/**
 * The API's validation messages start with the property name ("newPassword must be ...");
 * a person knows the field by its label ("New password must be ...").
 */
export function namedAfterLabel(message: string, label?: string): string {
  const match = /^\s*([A-Za-z][A-Za-z0-9]*)\b/.exec(message);
  if (!match) return message;
  const word = match[1]!;
  const rest = message.slice(match[0].length);
  if (label && normalize(word) === normalize(label.replace(/\s+/g, ''))) return `${label}${rest}`;
  if (label) {
    // The field matched by a longer property name (e.g. "confirmPassword" for "password").
    return /[a-z][A-Z]/.test(word) ? `${label}${rest}` : message;
  }
  // Unknown field: at least turn camelCase into words.
  if (!/[a-z][A-Z]/.test(word)) return message;
  const words = word.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${rest}`;
}

/** Capitalizes the first letter and ends with a full stop, for friendlier API messages. */
export function sentence(message: string): string {
  const trimmed = message.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}
