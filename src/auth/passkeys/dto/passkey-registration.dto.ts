import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MinLength } from 'class-validator';
import { MaxCodePoints } from '../../../common/max-code-points.js';

export class PasskeyRegistrationDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The `RegistrationResponseJSON` from `navigator.credentials.create()`' })
  @IsObject()
  response: Record<string, unknown>;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, example: 'Laptop', description: 'Defaults to "Passkey"' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxCodePoints(64, 'name')
  name?: string;
}
