import { Matches } from 'class-validator';

/**
 * At most `max` characters, counted in code points as MySQL and PostgreSQL count a varchar.
 * class-validator's MaxLength does not count emoji variation selectors (U+FE0E, U+FE0F), so a
 * value it accepts could overflow its column: a 500 from those databases instead of a 400.
 */
export function MaxCodePoints(max: number, field: string): PropertyDecorator {
  return Matches(new RegExp(`^[\\s\\S]{0,${max}}$`, 'u'), { message: `${field} must be shorter than or equal to ${max} characters` });
}
