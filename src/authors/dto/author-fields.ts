import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsString, Matches } from 'class-validator';
import { Omittable } from '../../common/omittable.js';
import { NO_CONTROL_CHARACTERS } from '../../common/no-control-characters.js';

export const AUTHOR_LIMITS = { name: 100, book: 200, country: 60 } as const;

const EXAMPLES = { name: 'Hilary Mantel', book: 'Wolf Hall', country: 'United Kingdom' } as const;

/**
 * Leading and trailing whitespace is dropped before the length check, so " Ada " and "Ada"
 * are one author and a blank value is missing, not a name.
 */
const trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/**
 * `required: false` still rejects an explicit null: null is no value to merge, and the
 * columns are NOT NULL (a null would otherwise reach the database as a 500).
 */
const presence = (required: boolean) => (required ? IsDefined() : Omittable());

export function AuthorText(field: keyof typeof AUTHOR_LIMITS, required: boolean): PropertyDecorator {
  const max = AUTHOR_LIMITS[field];
  return applyDecorators(
    ApiProperty({
      required,
      minLength: 1,
      maxLength: max,
      example: EXAMPLES[field],
      description: `1-${max} characters after trimming surrounding whitespace; no control characters`,
    }),
    trim(),
    presence(required),
    IsString(),
    // Counted in code points, as MySQL counts a varchar: class-validator's Length does not
    // count emoji variation selectors, so a value it accepts could overflow the column.
    Matches(new RegExp(`^[\\s\\S]{1,${max}}$`, 'u'), { message: `${field} must be 1-${max} characters` }),
    Matches(NO_CONTROL_CHARACTERS, { message: `${field} must not contain control characters` }),
  );
}

/**
 * `defaultsToFalse` only where an absent value means false (create), not where it means "unchanged" (PATCH).
 * Said in the description, not as a schema `default`: client generators make a field with a default required.
 */
export function BookerPrize(required: boolean, defaultsToFalse = false): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      required,
      type: Boolean,
      example: true,
      ...(defaultsToFalse ? { description: 'Defaults to false when left out' } : {}),
    }),
    presence(required),
    IsBoolean(),
  );
}
