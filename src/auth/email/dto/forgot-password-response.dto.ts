import { ApiProperty } from '@nestjs/swagger';
import { FORGOT_PASSWORD_MESSAGE } from '../password-reset.service.js';

export class ForgotPasswordResponseDto {
  @ApiProperty({ example: FORGOT_PASSWORD_MESSAGE, description: 'Always the same, whether or not an account has the address' })
  message: string;
}
