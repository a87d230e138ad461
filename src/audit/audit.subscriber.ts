import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { DomainEvents } from '../common/events/domain-events.js';
import { isValidUsername } from '../common/username.js';
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
      detail: typedUsername(event.username),
    });
  }

  @OnEvent('login.locked', STRICT)
  loginLocked(event: DomainEvents['login.locked']): Promise<void> {
    return this.audit.record({
      action: 'login.locked',
      ip: event.ip,
      detail: { ...typedUsername(event.username), until: event.until.toISOString() },
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
      detail: { ...(event.from === null ? {} : { from: event.from }), to: event.to },
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
      detail: { remaining: String(event.remaining) },
    });
  }

  @OnEvent('mfa.recovery_regenerated', STRICT)
  mfaRecoveryRegenerated(event: DomainEvents['mfa.recovery_regenerated']): Promise<void> {
    return this.audit.record({ action: 'mfa.recovery_regenerated', actorId: event.userId, targetId: event.userId, ip: event.ip });
  }
  @OnEvent('email.verified', STRICT)
  emailVerified(event: DomainEvents['email.verified']): Promise<void> {
    return this.audit.record({ action: 'email.verified', actorId: event.userId, targetId: event.userId, ip: event.ip });
  }

  /** The addresses are kept: "who moved my account to which mailbox" is what an investigation asks first. */
  @OnEvent('email.changed', STRICT)
  emailChanged(event: DomainEvents['email.changed']): Promise<void> {
    return this.audit.record({
      action: 'email.changed',
      actorId: event.userId,
      targetId: event.userId,
      ip: event.ip,
      detail: { ...(event.from === null ? {} : { from: event.from }), to: event.to },
    });
  }

  /** Never the link's token: only who asked, for whom, and whether a mail went out. */
  @OnEvent('password.reset_requested', STRICT)
  passwordResetRequested(event: DomainEvents['password.reset_requested']): Promise<void> {
    return this.audit.record({
      action: 'password.reset_requested',
      actorId: event.actorId ?? null,
      targetId: event.userId,
      ip: event.ip,
      detail: { via: event.actorId ? 'admin' : 'mail', mailed: String(event.mail !== null) },
    });
  }

  @OnEvent('password.reset', STRICT)
  passwordReset(event: DomainEvents['password.reset']): Promise<void> {
    return this.audit.record({ action: 'password.reset', actorId: event.userId, targetId: event.userId, ip: event.ip });
  }

  @OnEvent('passkey.added', STRICT)
  passkeyAdded(event: DomainEvents['passkey.added']): Promise<void> {
    return this.audit.record({ action: 'passkey.added', actorId: event.userId, targetId: event.userId, ip: event.ip, detail: { passkeyId: event.passkeyId, name: event.name } });
  }

  @OnEvent('passkey.removed', STRICT)
  passkeyRemoved(event: DomainEvents['passkey.removed']): Promise<void> {
    return this.audit.record({ action: 'passkey.removed', actorId: event.userId, targetId: event.userId, ip: event.ip, detail: { passkeyId: event.passkeyId, ...(event.reason && { reason: event.reason }) } });
  }

  @OnEvent('passkey.counter_regressed', STRICT)
  passkeyCounterRegressed(event: DomainEvents['passkey.counter_regressed']): Promise<void> {
    return this.audit.record({
      action: 'passkey.counter_regressed',
      targetId: event.userId,
      ip: event.ip,
      detail: { passkeyId: event.passkeyId, stored: String(event.stored), received: String(event.received) },
    });
  }

  @OnEvent('oidc.linked', STRICT)
  oidcLinked(event: DomainEvents['oidc.linked']): Promise<void> {
    return this.audit.record({
      action: 'oidc.linked',
      actorId: event.userId,
      targetId: event.userId,
      ip: event.ip,
      detail: { provider: event.provider, created: String(event.created) },
    });
  }

  @OnEvent('oidc.unlinked', STRICT)
  oidcUnlinked(event: DomainEvents['oidc.unlinked']): Promise<void> {
    return this.audit.record({ action: 'oidc.unlinked', actorId: event.userId, targetId: event.userId, ip: event.ip, detail: { provider: event.provider, ...(event.reason && { reason: event.reason }) } });
  }

  @OnEvent('oidc.failed', STRICT)
  oidcFailed(event: DomainEvents['oidc.failed']): Promise<void> {
    return this.audit.record({
      action: 'oidc.failed',
      targetId: event.userId,
      ip: event.ip,
      detail: { ...(event.provider === null ? {} : { provider: event.provider }), reason: event.reason },
    });
  }
}

/** What was typed as a username is sometimes a password: keep it only when it could be a username. */
function typedUsername(typed: string): { username?: string } {
  return isValidUsername(typed) ? { username: typed } : {};
}
