import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { Role } from '../../common/role.enum.js';
import { UserStatus } from '../user.entity.js';

/** What an admin may change on an account; any other field is a 400. */
export class UpdateUserDto {
  @ApiPropertyOptional({
    enum: UserStatus,
    description: '`active` approves a pending account or re-enables a disabled one; `disabled` also revokes every session',
  })
  @IsOptional()
  @IsEnum(UserStatus)
  status?: UserStatus;

  @ApiPropertyOptional({ enum: Role, description: 'Needs a fresh access token (from a password login)' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;
}
