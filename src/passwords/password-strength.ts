/**
 * The password rules of API.md, as plain functions (no Nest imports). The web client's
 * strength meter (web/src/strength.ts) scores with the same zxcvbn-ts dictionaries.
 */
import { createRequire } from 'node:module';
import { ZxcvbnFactory, type Options, type ZxcvbnResult } from '@zxcvbn-ts/core';
import type * as LanguageCommon from '@zxcvbn-ts/language-common';
import type * as LanguageEnglish from '@zxcvbn-ts/language-en';
import { RankedWordList } from './ranked-word-list.js';

export const PASSWORD_MAX_LENGTH = 128;

/** zxcvbn's score 3: guessing takes more than 10^8 tries; below that, a slow hash alone is not enough. */
const MIN_SCORE = 3;

/** Code points that render as nothing: zero-width spaces and joiners, soft hyphens, BOMs, direction marks, variation selectors. */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}]/gu;

let scorer: { zxcvbn: ZxcvbnFactory; commonPasswords: RankedWordList } | undefined;

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
  if (loadedScorer().commonPasswords.has(lowered)) {
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
  return loadedScorer().zxcvbn.check(normalizePassword(password), userInputs);
}

/** Lists this long are held as RankedWordLists; the short word-sequence lists stay zxcvbn's own. */
const COMPACT_FROM = 1000;

/**
 * Built on the first check. The language packages are loaded through require so that, once
 * their words are copied into RankedWordLists, dropping them from require's cache lets their
 * arrays (a string per word) be collected; an import would keep them for good.
 */
function loadedScorer(): NonNullable<typeof scorer> {
  if (scorer) return scorer;
  const require = createRequire(import.meta.url);
  const common = require('@zxcvbn-ts/language-common') as typeof LanguageCommon;
  const english = require('@zxcvbn-ts/language-en') as typeof LanguageEnglish;
  const compact = new Map<string, RankedWordList>();
  const small: Record<string, string[]> = {};
  for (const [name, words] of Object.entries({ ...common.dictionary, ...english.dictionary }) as [string, string[]][]) {
    if (words.length >= COMPACT_FROM) compact.set(name, new RankedWordList(words));
    else small[name] = words;
  }
  const zxcvbn = new ZxcvbnFactory({
    dictionary: small,
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    // Both bound the scorer's work, which runs on the event loop: with the defaults (100
    // leet variants, 256 characters) one 128-character password of digits and symbols took
    // over a second; these keep the worst case near a tenth of that. Past 64 characters
    // the rest adds strength the first 64 already earned.
    l33tMaxSubstitutions: 8,
    maxLength: 64,
  });
  // zxcvbn-ts builds its ranked dictionaries from the lists it is given and has no option to
  // take them ready-made, so the long lists go in after construction, into the two fields its
  // dictionary matcher reads (password-strength.spec.ts checks the scores match zxcvbn's own).
  const options = (zxcvbn as unknown as { options: Options }).options;
  for (const [name, list] of compact) {
    options.rankedDictionaries[name] = list.asRankedDictionary();
    options.rankedDictionariesMaxWordSize[name] = list.maxLength;
  }
  for (const path of Object.keys(require.cache)) {
    if (/[\\/]@zxcvbn-ts[\\/](language-|dictionary-compression)/.test(path)) delete require.cache[path];
  }
  scorer = { zxcvbn, commonPasswords: compact.get('passwords-common')! };
  return scorer;
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
