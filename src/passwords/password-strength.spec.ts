import { describe, expect, it } from '@jest/globals';
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import { passwordProblem, strengthOf } from './password-strength.js';
import { RankedWordList } from './ranked-word-list.js';

describe('RankedWordList', () => {
  const list = new RankedWordList(['alpha', 'beta', 'gamma', 'beta', 'épée', '']);

  it('answers a word with its 1-based position, a later duplicate winning, as zxcvbn ranks', () => {
    expect(['alpha', 'gamma', 'beta', 'épée', ''].map((word) => list.rank(word))).toEqual([1, 3, 4, 5, 6]);
    expect(list.maxLength).toBe(5);
  });

  it('does not hold prefixes, extensions, other cases or words sharing a slot', () => {
    expect(['alph', 'alphab', 'Alpha', 'ALPHA', 'gamm', 'epee', 'alpha\nbeta', 'beta\n'].map((word) => list.rank(word))).toEqual(
      Array(8).fill(undefined),
    );
    expect(list.has('beta')).toBe(true);
    expect(list.has('delta')).toBe(false);
  });

  it('finds every word of a large list and none of a disjoint one', () => {
    const words = Array.from({ length: 50_000 }, (_, i) => `w${i.toString(36)}`);
    const large = new RankedWordList(words);
    expect(words.every((word, index) => large.rank(word) === index + 1)).toBe(true);
    expect(words.some((word) => large.has(`${word}-`) || large.has(`-${word}`) || large.has(word.toUpperCase()))).toBe(false);
  });

  it('reads as zxcvbn ranked dictionary: property access gives the rank, anything else nothing', () => {
    const dictionary = list.asRankedDictionary();
    expect(dictionary['gamma']).toBe(3);
    expect(dictionary['constructor']).toBeUndefined();
    expect(dictionary[Symbol.iterator as unknown as string]).toBeUndefined();
  });
});

describe('strengthOf with the compact word lists', () => {
  // zxcvbn-ts's own scorer over the very same lists and options, each list an object.
  const reference = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    l33tMaxSubstitutions: 8,
    maxLength: 64,
  });
  const summary = (result: ZxcvbnResult) => ({
    score: result.score,
    guesses: result.guesses,
    sequence: result.sequence.map(({ pattern, i, j, token }) => ({ pattern, i, j, token })),
    dictionaryMatches: result.sequence.flatMap((match) =>
      match.pattern === 'dictionary' ? [[match.dictionaryName, match.rank, match.matchedWord, match.l33t, match.reversed]] : [],
    ),
    warning: result.feedback.warning,
  });

  const lists = { ...common.dictionary, ...english.dictionary } as Record<string, string[]>;
  const samples: string[] = ['Tr0ub4dor&3', 'correct horse battery staple', 'xk#9Lq!2vR', 'qwertyuiop', '19841984', 'P@ssw0rd2024'];
  for (const [name, words] of Object.entries(lists)) {
    if (words.length < 1000) continue;
    for (const index of [0, 7, 99, 1234, Math.floor(words.length / 2), words.length - 1]) {
      const word = words[index];
      samples.push(
        word,
        `${word}1987`,
        word[0].toUpperCase() + word.slice(1) + '!',
        [...word].reverse().join(''),
        word.replace(/a/g, '4').replace(/e/g, '3').replace(/o/g, '0'),
        `${word}${words[(index + 17) % words.length]}`,
        `${name.length}${word}${word.length}`,
      );
    }
  }

  it("gives zxcvbn's own score, guesses, matches and ranks for words of every list, varied", () => {
    expect(samples.length).toBeGreaterThan(250);
    for (const password of samples) {
      expect({ password, ...summary(strengthOf(password, ['rita'])) }).toEqual({ password, ...summary(reference.check(password, ['rita'])) });
    }
  });

  it('finds a word that only one long list holds inside a password, with its rank there', () => {
    for (const [name, words] of Object.entries(lists)) {
      if (words.length < 1000) continue;
      const others = Object.entries(lists).filter(([other]) => other !== name).map(([, list]) => new Set(list));
      const index = words.findIndex((word, i) => i > 100 && word.length >= 7 && /^[a-z]+$/.test(word) && others.every((list) => !list.has(word)));
      const match = strengthOf(`zz9${words[index]}zz9`).sequence.find((part) => part.pattern === 'dictionary');
      expect({ name, word: words[index], rank: match?.rank, in: match?.dictionaryName }).toEqual({ name, word: words[index], rank: index + 1, in: name });
    }
  });

  it('refuses the common passwords list itself', () => {
    const commonPasswords = lists['passwords-common'];
    expect(passwordProblem(commonPasswords[5000], { minLength: 1 })).toBe('password is too common; choose a less predictable one');
    const longCommon = commonPasswords.find((password) => password.length >= 15)!;
    expect(passwordProblem(longCommon, { minLength: 15 })).toBe('password is too common; choose a less predictable one');
    expect(passwordProblem(longCommon.toUpperCase(), { minLength: 15 })).toBe('password is too common; choose a less predictable one');
  });
});
