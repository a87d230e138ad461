import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { MeetsPasswordPolicy } from '../../passwords/meets-password-policy.js';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  currentPassword: string;

  @ApiProperty({ format: 'password', minLength: 15, maxLength: 128, description: 'Same policy as at registration' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @MeetsPasswordPolicy()
  newPassword: string;
}
