import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class TokenPairDto {
  @ApiProperty({ description: 'JWT access token; send as Authorization: Bearer' })
  accessToken: string;

  @ApiPropertyOptional({ description: 'JWT refresh token (absent in cookie mode, where it travels in an HttpOnly cookie)' })
  refreshToken?: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType: 'Bearer';

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Access token lifetime in seconds', example: 900 })
  expiresIn: number;
}
