import { BadRequestException } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { VALIDATION_OPTIONS } from './validation-options.js';

/**
 * Guards run before pipes, so a guard that reads the body (passport-local, the refresh
 * token guard) validates it here with the global pipe's rules: bad input is a 400, not a 401.
 */
export function validateBody<T extends object>(dto: ClassConstructor<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException(['request body must be a JSON object']);
  }
  const instance = plainToInstance(dto, body);
  const errors = validateSync(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) {
    throw new BadRequestException(errors.flatMap((error) => Object.values(error.constraints ?? {})));
  }
  return instance;
}
