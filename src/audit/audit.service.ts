import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { type Page, skipOf } from '../common/pagination.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditQueryDto } from './dto/audit-query.dto.js';

/** Every action the log can hold; the OpenAPI document publishes this list, and the web client reads it there. */
export const AUDIT_ACTIONS = [
  'login.failed',
  'login.locked',
  'password.failed',
  'refresh.reused',
  'user.approved',
  'user.disabled',
  'user.enabled',
  'user.status_changed',
  'user.role_changed',
  'user.deleted',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.reset',
  'mfa.failed',
  'mfa.recovery_used',
  'mfa.recovery_regenerated',
  'password.reset_requested',
  'password.reset',
  'email.verified',
  'email.changed',
  'passkey.added',
  'passkey.removed',
  'passkey.counter_regressed',
  'oidc.linked',
  'oidc.unlinked',
  'oidc.failed',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  action: AuditAction;
  actorId?: string | null;
  targetId?: string | null;
  ip?: string | null;
  /** Strings only: the OpenAPI document promises clients a map of strings. */
  detail?: Record<string, string> | null;
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async record(entry: AuditEntry): Promise<void> {
    // insert, not save: save would first SELECT the new id to decide between insert and update.
    await this.events.insert({
      id: randomUUID(),
      at: new Date(),
      action: entry.action,
      actorId: entry.actorId ?? null,
      targetId: entry.targetId ?? null,
      ip: entry.ip ? entry.ip.slice(0, 64) : null,
      // simple-json serialises the object; TypeORM's insert typing expects a column-shaped value.
      detail: (entry.detail ?? null) as QueryDeepPartialEntity<AuditEvent>['detail'],
    });
    this.logger.log(`${entry.action} actor=${entry.actorId ?? '-'} target=${entry.targetId ?? '-'}`);
  }

  /** Newest first; the id breaks ties between events of the same millisecond so pages never overlap. */
  async list(query: AuditQueryDto): Promise<Page<AuditEvent>> {
    const where = {
      ...(query.action !== undefined && { action: query.action }),
      ...(query.actorId !== undefined && { actorId: query.actorId }),
    };
    const [items, total] = await this.events.findAndCount({
      where,
      order: { at: 'DESC', id: 'DESC' },
      skip: skipOf(query),
      take: query.limit,
    });
    return { items, total, page: query.page, limit: query.limit };
  }
}
