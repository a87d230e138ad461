/**
 * The password rules of API.md, as plain functions (no Nest imports), so the web client
 * can bundle the very same checks and scorer for its strength meter.
 */
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

export const PASSWORD_MAX_LENGTH = 128;

/** zxcvbn's score 3: guessing takes more than 10^8 tries; below that, a slow hash alone is not enough. */
const MIN_SCORE = 3;

/** The ~49,000 most common passwords shipped with zxcvbn-ts, checked offline. */
const COMMON_PASSWORDS = new Set((common.dictionary['passwords-common'] as string[]).map((password) => password.toLowerCase()));

/** Code points that render as nothing: zero-width spaces and joiners, soft hyphens, BOMs, direction marks, variation selectors. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}]/gu;

let scorer: ZxcvbnFactory | undefined;

/**
 * NFKC, applied before every hash and every check, so the same password typed on another
 * keyboard or input method (full-width letters, ligatures, composed or decomposed accents)
 * is the same password.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length as a person sees it: code points, not counting those that render as nothing. */
export function visibleLength(password: string): number {
  return [...password.replace(INVISIBLE, '')].length;
}

export interface PasswordRules {
  minLength: number;
  username?: string;
  /** The field name the message starts with, e.g. `newPassword`. */
  field?: string;
}

/** The first rule the password breaks, as a message that says what to change; undefined when it is fine. */
export function passwordProblem(password: string, rules: PasswordRules): string | undefined {
  const field = rules.field ?? 'password';
  const normalized = normalizePassword(password);
  if (visibleLength(normalized) < rules.minLength) {
    const hidden = INVISIBLE.test(normalized) ? ' (characters that show nothing do not count)' : '';
    INVISIBLE.lastIndex = 0;
    return `${field} must be at least ${rules.minLength} characters long${hidden}`;
  }
  if ([...normalized].length > PASSWORD_MAX_LENGTH) {
    return `${field} must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  }
  const lowered = normalized.toLowerCase();
  const username = rules.username ? normalizePassword(rules.username).toLowerCase() : '';
  if (username && lowered.includes(username)) {
    return `${field} must not contain the username`;
  }
  if (COMMON_PASSWORDS.has(lowered)) {
    return `${field} is too common; choose a less predictable one`;
  }
  const result = strengthOf(normalized, username ? [username] : []);
  if (result.score < MIN_SCORE) {
    return `${field} is too easy to guess: it ${weakness(result)}; add unrelated words or characters that follow no pattern`;
  }
  return undefined;
}

/** zxcvbn's estimate, with the common and English dictionaries and keyboard layouts. */
export function strengthOf(password: string, userInputs: string[] = []): ZxcvbnResult {
  scorer ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    // Both bound the scorer's work, which runs on the event loop: with the defaults (100
    // leet variants, 256 characters) one 128-character password of digits and symbols took
    // over a second; these keep the worst case near a tenth of that. Past 64 characters
    // the rest adds strength the first 64 already earned.
    l33tMaxSubstitutions: 8,
    maxLength: 64,
  });
  return scorer.check(normalizePassword(password), userInputs);
}

/** What makes the password guessable, from the longest pattern zxcvbn found in it. */
function weakness(result: ZxcvbnResult): string {
  const patterns = result.sequence.filter((match) => match.pattern !== 'bruteforce');
  const longest = patterns.sort((a, b) => b.token.length - a.token.length)[0];
  switch (longest?.pattern) {
    case 'repeat':
      return 'repeats a character or a group of characters (like "aaaa" or "abcabc")';
    case 'sequence':
    case 'wordSequence':
      return 'is mostly a sequence (like "12345", "abcde" or "january february")';
    case 'spatial':
      return 'is mostly a keyboard pattern (like "qwerty" or "1qaz2wsx")';
    case 'dictionary':
      return 'is mostly a common word, name or password, with little added';
    case 'date':
      return 'is mostly a date or year';
    default:
      return 'is too short for its kind of characters';
  }
}
