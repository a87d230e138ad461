import { ApiProperty } from '@nestjs/swagger';
import type { UserIdentity } from '../user-identity.entity.js';

export class UserIdentityDto {
  @ApiProperty({ example: 'google', description: 'The provider’s id (see listOidcProviders)' })
  provider: string;

  @ApiProperty({ example: '110169484474386276334', description: 'The account’s `sub` at the provider' })
  subject: string;

  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com', description: 'The address the provider gave at the last login' })
  email: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  linkedAt: Date;

  static from(identity: UserIdentity): UserIdentityDto {
    return { provider: identity.provider, subject: identity.subject, email: identity.email, linkedAt: identity.linkedAt };
  }
}
