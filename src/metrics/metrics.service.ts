import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { PasswordService } from '../passwords/password.service.js';

/** The parts of mysql2's pool the gauge reads (TypeORM's MySQL driver keeps the pool). */
interface MysqlPoolCounts {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
}

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one),
 * so several app instances in one process (the tests) each count their own.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly logins = new Counter({
    name: 'auth_logins_total',
    help: 'Password checks at login by outcome: success, failure (wrong username or password), locked (refused by the lockout)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly refreshes = new Counter({
    name: 'auth_refreshes_total',
    help: 'Refresh-token uses by outcome: rotated, reused (the session was revoked), invalid',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly lockouts = new Counter({
    name: 'auth_lockouts_total',
    help: 'Accounts locked after too many failed password checks',
    registers: [this.registry],
  });

  readonly throttleRefusals = new Counter({
    name: 'auth_throttle_refusals_total',
    help: 'Requests refused by a per-client throttle',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  readonly passwordChecksFailed = new Counter({
    name: 'auth_password_change_failures_total',
    help: 'Password changes refused because the current password was wrong',
    registers: [this.registry],
  });

  readonly mailSent = new Counter({
    name: 'mail_sent_total',
    help: 'Mails handed to the mailer, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(
    passwords: PasswordService,
    @InjectDataSource() dataSource: DataSource,
  ) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'argon2_jobs_waiting',
      help: 'Password hashing or verification jobs waiting for a free core',
      registers: [this.registry],
      collect() {
        this.set(passwords.jobsWaiting);
      },
    });
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database connections by state (SQLite: one connection, never held between statements)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const counts = poolCounts(dataSource);
        this.set({ state: 'in_use' }, counts.inUse);
        this.set({ state: 'total' }, counts.total);
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requestDuration.observe({ method, route, status }, seconds);
  }
}

function poolCounts(dataSource: DataSource): { inUse: number; total: number } {
  if (!dataSource.isInitialized) return { inUse: 0, total: 0 };
  if (dataSource.options.type !== 'mysql') return { inUse: 0, total: 1 };
  const pool = (dataSource.driver as unknown as { pool?: MysqlPoolCounts }).pool;
  const total = pool?._allConnections?.length ?? 0;
  return { inUse: total - (pool?._freeConnections?.length ?? 0), total };
}
