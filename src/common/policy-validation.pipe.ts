import { Injectable, ValidationPipe } from '@nestjs/common';
import type { ValidationError, ValidatorOptions } from 'class-validator';
import { policyFieldsOf } from '../passwords/meets-password-policy.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { VALIDATION_OPTIONS } from './validation-options.js';

/**
 * The global validation pipe: every DTO's class-validator rules, and the password policy on the
 * fields marked @MeetsPasswordPolicy(), so that a body with a bad username and a weak password
 * answers one 400 naming both (API.md: validation errors list every failing field).
 */
@Injectable()
export class PolicyValidationPipe extends ValidationPipe {
  constructor(private readonly policy: PasswordPolicyService) {
    super({ ...VALIDATION_OPTIONS, transform: true, stopAtFirstError: false });
  }

  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const errors = await super.validate(object, validatorOptions);
    const values = object as Record<string, unknown>;
    for (const { field, usernameField } of policyFieldsOf(object.constructor)) {
      const password = values[field];
      // A field that already failed its own rules (missing, not a string, too long) says so once.
      if (typeof password !== 'string' || errors.some((error) => error.property === field)) continue;
      const username = usernameField ? values[usernameField] : undefined;
      const violation = this.policy.violation(password, typeof username === 'string' ? username : '', field);
      if (violation) errors.push({ target: object, property: field, children: [], constraints: { passwordPolicy: violation } });
    }
    return errors;
  }
}
