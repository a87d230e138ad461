import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { Omittable } from '../../../common/omittable.js';

/** Exactly one of `code` and `recoveryCode` (the service refuses both or neither with 400). */
export class VerifyMfaDto {
  @ApiProperty({ description: 'The mfaToken from the login answer' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  mfaToken: string;

  @ApiPropertyOptional({ description: 'The 6-digit code from the authenticator app', example: '123456' })
  @Omittable()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code?: string;

  @ApiPropertyOptional({ description: 'One of the recovery codes (single use)', example: 'abcde-fghij' })
  @Omittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  recoveryCode?: string;
}
