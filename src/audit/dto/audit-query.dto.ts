import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination.js';

export class AuditQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ maxLength: 64, example: 'user.disabled', description: 'Exact action name, one of the AuditAction values (any other name matches nothing)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  action?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events caused by this user' })
  @IsOptional()
  @IsUUID()
  actorId?: string;
}
