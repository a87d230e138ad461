import { ApiProperty } from '@nestjs/swagger';
import type { Passkey } from '../passkey.entity.js';

export class PasskeyResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The passkey’s id in this service (not the WebAuthn credential id)' })
  id: string;

  @ApiProperty({ example: 'Laptop' })
  name: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastUsedAt: string | null;

  static from(passkey: Passkey): PasskeyResponseDto {
    return {
      id: passkey.id,
      name: passkey.name,
      createdAt: passkey.createdAt.toISOString(),
      lastUsedAt: passkey.lastUsedAt ? passkey.lastUsedAt.toISOString() : null,
    };
  }
}
