import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Exactly one of `code` and `recoveryCode` (the service refuses both or neither with 400). */
export class VerifyMfaDto {
  @ApiProperty({ description: 'The mfaToken from the login answer' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  mfaToken: string;

  @ApiPropertyOptional({ description: 'The 6-digit code from the authenticator app', example: '123456' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code?: string;

  @ApiPropertyOptional({ description: 'One of the recovery codes (single use)', example: 'abcde-fghij' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  recoveryCode?: string;
}
