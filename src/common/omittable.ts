import { ValidateIf } from 'class-validator';

/**
 * An optional field that may be left out but not sent as null: IsOptional skips every check
 * for null too, so a null would reach the code as if it were a value (a 500, or a NOT NULL column).
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
