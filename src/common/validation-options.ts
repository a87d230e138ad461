import type { ValidatorOptions } from 'class-validator';

/** Unknown fields are an error, so `{"role":"admin"}` can never slip into an entity. */
export const VALIDATION_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
};
