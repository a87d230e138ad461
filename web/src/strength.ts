// Password strength, scored by zxcvbn-ts with the same dictionaries the server's policy
// uses, so the meter and the server agree. Loaded on demand (a separate chunk): the
// dictionaries are large and only the pages that take a new password need them.

import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
  // As the server's scorer (src/passwords/password-strength.ts): the same bounds give the same
  // scores, and keep a long password of digits and symbols from freezing the page per keystroke.
  l33tMaxSubstitutions: 8,
  maxLength: 64,
});

export interface Strength {
  /** 0 (guessable in a few tries) to 4 (very unguessable). */
  score: 0 | 1 | 2 | 3 | 4;
  warning: string;
  suggestions: string[];
}

export function strengthOf(password: string, userInputs: string[]): Strength {
  const result = zxcvbn.check(password, userInputs.filter(Boolean));
  return {
    score: result.score as Strength['score'],
    warning: result.feedback.warning ?? '',
    suggestions: result.feedback.suggestions ?? [],
  };
}
