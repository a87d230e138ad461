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
 * so is one too long to store, however MaxLength counted it.
 */
export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value) && fitsColumns(value) && isEmail(value),
        defaultMessage: () => '$property must be a valid email address',
      },
    },
    options,
  );
}
