import { ApiProperty } from '@nestjs/swagger';

export class ResetLinkDto {
  @ApiProperty({ example: 'https://auth.example.com/#/reset-password?token=q8Vd3...', description: 'Single-use; hand it to the user over a trusted channel' })
  resetUrl: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt: Date;
}
