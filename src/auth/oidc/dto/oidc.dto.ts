import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class OidcProviderDto {
  @ApiProperty({ example: 'google', pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' })
  id: string;

  @ApiProperty({ example: 'Google', description: 'For the button: “Continue with <name>”' })
  name: string;
}

export class ExchangeOidcCodeDto {
  @ApiProperty({ minLength: 1, maxLength: 128, description: 'The one-time login code from the callback’s redirect (`#/oidc?code=`)' })
  @IsString()
  @Length(1, 128)
  code: string;
}
