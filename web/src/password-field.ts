// Password inputs: a show/hide toggle for every password field, and a strength meter for
// the ones that take a new password.

import { h } from './dom.js';
import type { Strength } from './strength.js';

/** Wraps a password input with a "Show"/"Hide" toggle button. */
export function withRevealToggle(input: HTMLInputElement): HTMLElement {
  const label = h('span', null, 'Show');
  const toggle = h(
    'button',
    { type: 'button', class: 'password-toggle', 'aria-controls': input.id, 'aria-pressed': 'false' },
    label,
    h('span', { class: 'sr-only' }, ' password'),
  );
  const set = (show: boolean) => {
    input.type = show ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', String(show));
    label.textContent = show ? 'Hide' : 'Show';
  };
  let watching = false;
  toggle.addEventListener('click', () => {
    set(input.type === 'password');
    input.focus();
    // A submitted form must not leave the password readable on screen.
    if (!watching && input.form) input.form.addEventListener('submit', () => set(false));
    watching = true;
  });
  return h('div', { class: 'password-wrap' }, input, toggle);
}

const LABELS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
/** The server's documented default minimum length (PASSWORD_MIN_LENGTH). */
export const MIN_LENGTH = 15;

let scorer: Promise<typeof import('./strength.js')> | null = null;

/**
 * A live strength meter under a new-password input. `userInputs` returns words the
 * password should not be built from (username, name), as the server's check does.
 */
export function strengthMeter(input: HTMLInputElement, userInputs: () => string[]): HTMLElement {
  const bar = h('div', { class: 'strength-bar', 'data-score': '', 'aria-hidden': 'true' }, [0, 1, 2, 3].map(() => h('span')));
  const text = h('p', { class: 'strength-text', id: `${input.id}-strength`, 'aria-live': 'polite' });
  const meter = h('div', { class: 'strength', hidden: true }, bar, text);
  let timer: number | undefined;
  let latest = 0;
  const update = () => {
    const password = input.value;
    const run = ++latest;
    if (!password) {
      meter.hidden = true;
      text.textContent = '';
      bar.dataset['score'] = '';
      return;
    }
    if ([...password].length < MIN_LENGTH) {
      // The server refuses it whatever its score: say so rather than "Fair".
      meter.hidden = false;
      bar.dataset['score'] = '0';
      text.textContent = `Strength: Too short. Use at least ${MIN_LENGTH} characters.`;
      return;
    }
    scorer ??= import('./strength.js');
    void scorer.then(({ strengthOf }) => {
      if (run !== latest) return;
      show(strengthOf(password, userInputs()));
    });
  };
  const show = (s: Strength) => {
    meter.hidden = false;
    bar.dataset['score'] = String(s.score);
    const advice = s.warning || s.suggestions[0] || '';
    text.textContent = `Strength: ${LABELS[s.score]}.${advice ? ` ${advice}` : ''}`;
  };
  let watching = false;
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 120);
    // A form reset (after a successful change) empties the field without an input event.
    if (!watching && input.form) input.form.addEventListener('reset', () => window.setTimeout(update));
    watching = true;
  });
  // Start loading the dictionaries while the user is still reading the form.
  input.addEventListener('focus', () => void (scorer ??= import('./strength.js')), { once: true });
  const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
  input.setAttribute('aria-describedby', [...ids, text.id].join(' '));
  return meter;
}
