import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { DomainEvents } from '../common/events/domain-events.js';
import { MetricsService } from './metrics.service.js';

/** Feeds the auth counters from domain events; services know nothing of metrics. */
@Injectable()
export class MetricsSubscriber {
  constructor(private readonly metrics: MetricsService) {}

  @OnEvent('login.succeeded')
  loginSucceeded(): void {
    this.metrics.logins.inc({ outcome: 'success' });
  }

  @OnEvent('login.failed')
  loginFailed(): void {
    this.metrics.logins.inc({ outcome: 'failure' });
  }

  /** An OIDC login that went wrong counts with the failed logins. */
  @OnEvent('oidc.failed')
  oidcFailed(): void {
    this.metrics.logins.inc({ outcome: 'failure' });
  }

  @OnEvent('login.refused')
  loginRefused(): void {
    this.metrics.logins.inc({ outcome: 'locked' });
  }

  @OnEvent('login.locked')
  loginLocked(): void {
    this.metrics.lockouts.inc();
  }

  @OnEvent('password.failed')
  passwordFailed(): void {
    this.metrics.passwordChecksFailed.inc();
  }

  @OnEvent('refresh.rotated')
  refreshRotated(): void {
    this.metrics.refreshes.inc({ outcome: 'rotated' });
  }

  @OnEvent('refresh.reused')
  refreshReused(): void {
    this.metrics.refreshes.inc({ outcome: 'reused' });
  }

  @OnEvent('refresh.invalid')
  refreshInvalid(): void {
    this.metrics.refreshes.inc({ outcome: 'invalid' });
  }

  @OnEvent('throttle.refused')
  throttleRefused(event: DomainEvents['throttle.refused']): void {
    this.metrics.throttleRefusals.inc({ scope: event.scope });
  }
}
