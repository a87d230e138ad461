import { ApiProperty } from '@nestjs/swagger';
import { Role } from '../../common/role.enum.js';
import { UserStatus, type User } from '../user.entity.js';

/** The public shape of a user: never the hash or any other secret. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada_l' })
  username: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ada Lovelace' })
  name: string | null;

  @ApiProperty({ type: String, format: 'email', nullable: true, example: 'ada@example.com' })
  email: string | null;

  @ApiProperty({ description: 'True once the owner followed a verification link mailed to `email`' })
  emailVerified: boolean;

  @ApiProperty({ enum: Role })
  role: Role;

  @ApiProperty({ enum: UserStatus })
  status: UserStatus;

  // Timestamps are the ISO strings the JSON answer carries: the per-request lookup builds
  // them straight from the row, without a Date per field.
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastLoginAt: string | null;

  @ApiProperty({ description: 'True while an authenticator app is confirmed for the account' })
  mfaEnabled: boolean;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      username: user.username,
      name: user.name,
      email: user.email,
      emailVerified: user.emailVerified,
      role: user.role,
      status: user.status,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      mfaEnabled: user.mfaEnabled,
    };
  }
}
