import { describe, expect, it } from '@jest/globals';
import { validateSync } from 'class-validator';
import { MaxCodePoints } from './max-code-points.js';

class Named {
  @MaxCodePoints(4, 'name')
  name!: string;
}

function errorsFor(name: string): string[] {
  const value = Object.assign(new Named(), { name });
  return validateSync(value).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('MaxCodePoints', () => {
  it('counts code points as MySQL and PostgreSQL do: an emoji is one, a variation selector is one more', () => {
    // Four astral emoji: eight UTF-16 units, four code points, fits a varchar(4).
    expect(errorsFor('😀😀😀😀')).toEqual([]);
    // "❤️" is U+2764 U+FE0F: two code points each, so two of them fill four and a third overflows.
    expect(errorsFor('❤️❤️')).toEqual([]);
    expect(errorsFor('❤️❤️a')).toEqual(['name must be shorter than or equal to 4 characters']);
    expect(errorsFor('abcde')).toEqual(['name must be shorter than or equal to 4 characters']);
  });

  it('takes line breaks and other whitespace as characters like any other', () => {
    expect(errorsFor('a\nb\r')).toEqual([]);
    expect(errorsFor('a\nb\r\n')).toEqual(['name must be shorter than or equal to 4 characters']);
  });
});
