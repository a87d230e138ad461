import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { DomainEvents } from '../common/events/domain-events.js';
import { AuditService } from './audit.service.js';

/** An audit row that cannot be written fails the request, as it did before events: the log must not have holes. */
const STRICT = { suppressErrors: false } as const;

/** Turns the domain events worth auditing into audit rows; services never write the log themselves. */
@Injectable()
export class AuditSubscriber {
  constructor(private readonly audit: AuditService) {}

  @OnEvent('login.failed', STRICT)
  loginFailed(event: DomainEvents['login.failed']): Promise<void> {
    return this.audit.record({
      action: 'login.failed',
      targetId: event.userId,
      ip: event.ip,
      detail: { username: event.username.slice(0, 64) },
    });
  }

  @OnEvent('login.locked', STRICT)
  loginLocked(event: DomainEvents['login.locked']): Promise<void> {
    return this.audit.record({
      action: 'login.locked',
      ip: event.ip,
      detail: { username: event.username.slice(0, 64), until: event.until.toISOString() },
    });
  }

  @OnEvent('password.failed', STRICT)
  passwordFailed(event: DomainEvents['password.failed']): Promise<void> {
    return this.audit.record({ action: 'password.failed', actorId: event.userId, targetId: event.userId, ip: event.ip });
  }

  @OnEvent('refresh.reused', STRICT)
  refreshReused(event: DomainEvents['refresh.reused']): Promise<void> {
    return this.audit.record({ action: 'refresh.reused', actorId: event.userId, targetId: event.sessionId, ip: event.ip });
  }

  @OnEvent('user.updated', STRICT)
  userUpdated(event: DomainEvents['user.updated']): Promise<void> {
    return this.audit.record({
      action: `user.${event.kind}`,
      actorId: event.actorId,
      targetId: event.userId,
      ip: event.ip,
      detail: { from: event.from, to: event.to },
    });
  }

  @OnEvent('user.deleted', STRICT)
  userDeleted(event: DomainEvents['user.deleted']): Promise<void> {
    return this.audit.record({
      action: 'user.deleted',
      actorId: event.actorId,
      targetId: event.userId,
      ip: event.ip,
      detail: { username: event.username, role: event.role },
    });
  }

  @OnEvent('mfa.enabled', STRICT)
  mfaEnabled(event: DomainEvents['mfa.enabled']): Promise<void> {
    return this.audit.record({ action: 'mfa.enabled', actorId: event.userId, targetId: event.userId, ip: event.ip });
  }

  @OnEvent('mfa.disabled', STRICT)
  mfaDisabled(event: DomainEvents['mfa.disabled']): Promise<void> {
    return this.audit.record({ action: 'mfa.disabled', actorId: event.userId, targetId: event.userId, ip: event.ip });
  }

  @OnEvent('mfa.reset', STRICT)
  mfaReset(event: DomainEvents['mfa.reset']): Promise<void> {
    return this.audit.record({ action: 'mfa.reset', actorId: event.actorId, targetId: event.userId, ip: event.ip });
  }

  @OnEvent('mfa.failed', STRICT)
  mfaFailed(event: DomainEvents['mfa.failed']): Promise<void> {
    return this.audit.record({ action: 'mfa.failed', targetId: event.userId, ip: event.ip, detail: { method: event.method } });
  }

  @OnEvent('mfa.recovery_used', STRICT)
  mfaRecoveryUsed(event: DomainEvents['mfa.recovery_used']): Promise<void> {
    return this.audit.record({
      action: 'mfa.recovery_used',
      actorId: event.userId,
      targetId: event.userId,
      ip: event.ip,
      detail: { remaining: event.remaining },
    });
  }

  @OnEvent('mfa.recovery_regenerated', STRICT)
  mfaRecoveryRegenerated(event: DomainEvents['mfa.recovery_regenerated']): Promise<void> {
    return this.audit.record({ action: 'mfa.recovery_regenerated', actorId: event.userId, targetId: event.userId, ip: event.ip });
  }
}
