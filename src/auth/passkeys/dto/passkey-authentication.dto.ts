import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, MaxLength } from 'class-validator';

export class PasskeyAuthenticationDto {
  @ApiProperty({ maxLength: 128, description: 'The `challengeId` from authentication/options' })
  @IsString()
  @MaxLength(128)
  challengeId: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The `AuthenticationResponseJSON` from `navigator.credentials.get()`' })
  @IsObject()
  response: Record<string, unknown>;
}

export class PasskeyAuthenticationOptionsDto {
  @ApiProperty({ description: 'Send back with the response; single-use, valid 5 minutes' })
  challengeId: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: '`PublicKeyCredentialRequestOptionsJSON` for `navigator.credentials.get()`' })
  options: Record<string, unknown>;
}
