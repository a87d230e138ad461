import { isEmail, ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * class-validator's IsEmail, except that a string with a lone surrogate is simply invalid:
 * validator.js's isEmail throws "URI malformed" on one, which would surface as a 500.
 */
/** With the u flag a surrogate pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u;

export function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value) && isEmail(value),
        defaultMessage: () => '$property must be a valid email address',
      },
    },
    options,
  );
}
