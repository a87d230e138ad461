import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/is-email-address.js';
import { NO_CONTROL_CHARACTERS } from '../../common/no-control-characters.js';
import { USERNAME_PATTERN } from '../../common/username.js';
import { MaxCodePoints } from '../../common/max-code-points.js';
import { MeetsPasswordPolicy } from '../../passwords/meets-password-policy.js';

/** Re-exported for the CLI, which applies the same rule. */
export { USERNAME_PATTERN };

export class RegisterDto {
  @ApiProperty({ pattern: USERNAME_PATTERN.source, example: 'ada_l', description: 'Unique case-insensitively' })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3-32 letters, digits, ".", "_" or "-"' })
  username: string;

  @ApiProperty({
    format: 'password',
    minLength: 15,
    maxLength: 128,
    example: 'correct horse battery staple',
    description: 'At least PASSWORD_MIN_LENGTH (default 15) characters, at most 128; not a common password; must not contain the username',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @MeetsPasswordPolicy('username')
  password: string;

  @ApiPropertyOptional({ maxLength: 100, example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxCodePoints(100, 'name')
  @Matches(NO_CONTROL_CHARACTERS, { message: 'name must not contain control characters' })
  name?: string;

  @ApiPropertyOptional({
    format: 'email',
    maxLength: 254,
    example: 'ada@example.com',
    description: 'Unique case-insensitively; a verification link is mailed to it. Required when REQUIRE_EMAIL_VERIFICATION=true',
  })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmailAddress()
  email?: string;
}
