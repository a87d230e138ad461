import { Module } from '@nestjs/common';
import { PasswordPolicyService } from './password-policy.service.js';
import { PasswordService } from './password.service.js';

@Module({
  providers: [PasswordService, PasswordPolicyService],
  exports: [PasswordService, PasswordPolicyService],
})
export class PasswordsModule {}
