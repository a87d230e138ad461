import { ApiProperty } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/pagination.js';
import type { AuditEvent } from '../audit-event.entity.js';
import { AUDIT_ACTIONS } from '../audit.service.js';

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  at: Date;

  @ApiProperty({ enum: AUDIT_ACTIONS, enumName: 'AuditAction', example: 'user.disabled' })
  action: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Who acted (null when unknown, e.g. a failed login)' })
  actorId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The user or session acted upon' })
  targetId: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'string' },
    description: 'What changed or was tried, by action: e.g. `{from, to}` for status and role changes, `{username}` for failed logins',
    example: { from: 'user', to: 'admin' },
  })
  detail: Record<string, string> | null;

  static from(event: AuditEvent): AuditEventDto {
    return {
      id: event.id,
      at: event.at,
      action: event.action,
      actorId: event.actorId,
      targetId: event.targetId,
      ip: event.ip,
      detail: event.detail,
    };
  }
}

export class AuditPageDto extends PageMetaDto {
  @ApiProperty({ type: [AuditEventDto] })
  items: AuditEventDto[];
}
