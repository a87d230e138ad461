import { isEmail, ValidateBy, type ValidationOptions } from 'class-validator';

/** With the u flag a surrogate pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The address columns' size, in code points as MySQL and PostgreSQL count a varchar. */
const MAX_EMAIL_CODE_POINTS = 254;

/** The address and its lower-cased form (kept for lookups; 'İ' lower-cases to two code points) both fit their columns. */
const fitsColumns = (value: string) => [...value].length <= MAX_EMAIL_CODE_POINTS && [...value.toLowerCase()].length <= MAX_EMAIL_CODE_POINTS;

/**
 * class-validator's IsEmail, except that a string with a lone surrogate is simply invalid
 * (validator.js's isEmail throws "URI malformed" on one, which would surface as a 500), and
 * so is one too long to store, however MaxLength counted it. The part before the '@' must be
 * ASCII: addresses are unique by their lower-cased form, and lower-casing folds some non-ASCII
 * letters onto ASCII ones (the Kelvin sign 'K' becomes 'k'), so a look-alike address could
 * take the key of a real one and receive its reset links.
 */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && !LONE_SURROGATE.test(value) && fitsColumns(value) && isEmail(value, { allow_utf8_local_part: false });
}

/** isEmailAddress as a class-validator decorator. */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: isEmailAddress,
        defaultMessage: () => '$property must be a valid email address',
      },
    },
    options,
  );
}
