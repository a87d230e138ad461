import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, Repository } from 'typeorm';
import { AccountLockout, accountLockoutKey } from '../abuse/account-lockout.js';
import type { AuthUser } from '../common/auth-user.js';
import { DomainEventBus, type UserChangeKind } from '../common/events/domain-events.js';
import { type Page, skipOf } from '../common/pagination.js';
import { lockingTransaction, writeLock } from '../database/locking-transaction.js';
import { FRESH_TOKEN_REQUIRED } from '../common/decorators/fresh.decorator.js';
import { Role } from '../common/role.enum.js';
import { isValidUsername } from '../common/username.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { PasswordService } from '../passwords/password.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { normalizeEmail, normalizeUsername, User, UserStatus } from './user.entity.js';

/** The 409 for any change that would leave the service without an active admin. */
const LAST_ADMIN = 'This change would leave no active admin';

type Standing = Pick<User, 'role' | 'status'>;

export const NO_PASSWORD_YET = 'This account has no password yet: set one with a reset link (Forgot password)';

export interface NewUser {
  username: string;
  password: string;
  name?: string | null;
  email?: string | null;
  role?: Role;
  status?: UserStatus;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicyService,
    private readonly sessions: SessionsService,
    private readonly events: DomainEventBus,
    private readonly lockout: AccountLockout,
  ) {}

  /** Applies the password policy; a taken username or email surfaces as 409 through the error filter. */
  async create(input: NewUser): Promise<User> {
    this.assertPasswordAllowed(input.password, input.username, 'password');
    return this.insertUser({
      username: input.username,
      name: input.name ?? null,
      email: input.email ?? null,
      emailVerified: false,
      passwordHash: await this.passwords.hash(input.password),
      role: input.role ?? Role.User,
      status: input.status ?? UserStatus.Active,
    });
  }

  /**
   * An account made by an OpenID Connect login: no password (it logs in through its provider
   * until it sets one with a reset link); the address is verified when the provider says so.
   */
  async createPasswordless(input: { username: string; name: string | null; email: string | null; emailVerified: boolean; status: UserStatus }): Promise<User> {
    return this.insertUser({
      username: input.username,
      name: input.name,
      email: input.email,
      emailVerified: input.email !== null && input.emailVerified,
      passwordHash: null,
      role: Role.User,
      status: input.status,
    });
  }

  private async insertUser(fields: Pick<User, 'username' | 'name' | 'email' | 'emailVerified' | 'passwordHash' | 'role' | 'status'>): Promise<User> {
    const now = new Date();
    const user = this.users.create({
      ...fields,
      id: randomUUID(),
      usernameNormalized: normalizeUsername(fields.username),
      emailNormalized: fields.email ? normalizeEmail(fields.email) : null,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
      mfaEnabled: false,
    });
    // insert, not save: save() wraps a SELECT and the INSERT in a transaction, and on a
    // Galera cluster a transaction that loses a conflict with another node fails as a
    // deadlock at COMMIT; a lone INSERT is retried by the node and then meets the unique
    // index like on any server (409).
    await this.users.insert(user);
    return user;
  }

  /** Undoes createPasswordless when the login it was made for lost a race; nothing can refer to it yet. */
  async removeUnused(id: string): Promise<void> {
    await this.users.delete({ id, lastLoginAt: IsNull() });
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** Only a valid username can name an account: any other spelling finds nothing, on every database. */
  async findByUsername(username: string): Promise<User | null> {
    if (!isValidUsername(username)) return null;
    return this.users.findOneBy({ usernameNormalized: normalizeUsername(username) });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ emailNormalized: normalizeEmail(email) });
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  async updateName(id: string, name: string | null | undefined): Promise<User> {
    const user = await this.getById(id);
    if (name !== undefined) {
      user.name = name;
      user.updatedAt = new Date();
      await this.users.update({ id }, { name, updatedAt: user.updatedAt });
    }
    return user;
  }

  /**
   * Keeps the caller's session and ends every other one: a thief's session dies with the old password.
   * The current-password check is a password check like a login's: it counts toward the
   * account's lockout (so a stolen session cannot guess the password without limit) and is audited.
   */
  async changePassword(id: string, currentSessionId: string, currentPassword: string, newPassword: string, ip?: string): Promise<void> {
    const user = await this.getById(id);
    // An account made by an OIDC login has no password to confirm: it sets its first one through
    // a reset link (proof of the mailbox), never with a session token alone.
    if (!user.passwordHash) throw new BadRequestException(NO_PASSWORD_YET);
    const lockoutKey = accountLockoutKey(user.usernameNormalized);
    await this.lockout.begin(lockoutKey, { username: user.username, ip });
    if (!(await this.passwords.verify(user.passwordHash, currentPassword))) {
      await this.events.emit('password.failed', { userId: id, ip });
      throw new UnauthorizedException('Current password is wrong');
    }
    await this.lockout.succeeded(lockoutKey);
    this.assertPasswordAllowed(newPassword, user.username, 'newPassword');
    const passwordHash = await this.passwords.hash(newPassword);
    await this.users.update({ id }, { passwordHash, updatedAt: new Date() });
    await this.sessions.revokeAll(id, currentSessionId);
    await this.events.emit('password.changed', { userId: id, ip });
  }

  /** A new address starts unverified; a taken one surfaces as 409 through the error filter. */
  async setEmail(id: string, email: string): Promise<User> {
    const user = await this.getById(id);
    const change = { email, emailNormalized: normalizeEmail(email), emailVerified: false, updatedAt: new Date() };
    await this.users.update({ id }, change);
    return { ...user, ...change };
  }

  /**
   * Verifies the address only if it is still the one the link was mailed to: a link sent
   * before a change must not vouch for the new address. False when it no longer is.
   */
  async markEmailVerified(id: string, emailNormalized: string): Promise<boolean> {
    const result = await this.users.update({ id, emailNormalized }, { emailVerified: true, updatedAt: new Date() });
    return result.affected === 1;
  }

  /** The password set by a reset link (the address it proves is markEmailVerified's business). */
  async setPasswordFromReset(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash, updatedAt: new Date() });
  }

  /** Throws 400 with the policy's message when the password is refused for this user. */
  assertPasswordAllowedFor(user: User, password: string, field: string): void {
    this.assertPasswordAllowed(password, user.username, field);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: at });
  }

  /** Newest first; the id breaks ties so pages never overlap. */
  async list(query: ListUsersQueryDto): Promise<Page<User>> {
    const builder = this.users
      .createQueryBuilder('u')
      .orderBy('u.createdAt', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .offset(skipOf(query))
      .limit(query.limit);
    if (query.status) builder.andWhere('u.status = :status', { status: query.status });
    if (query.q) {
      // '!' as the LIKE escape: a backslash means different things in MySQL and SQLite literals.
      const pattern = `%${query.q.toLowerCase().replace(/[!%_]/g, '!$&')}%`;
      builder.andWhere(
        "(u.usernameNormalized LIKE :pattern ESCAPE '!' OR LOWER(u.name) LIKE :pattern ESCAPE '!' OR u.emailNormalized LIKE :pattern ESCAPE '!')",
        { pattern },
      );
    }
    const [items, total] = await builder.getManyAndCount();
    return { items, total, page: query.page, limit: query.limit };
  }

  /** Admins see anyone; a user sees only themself, and learns nothing about other ids. */
  async getVisibleTo(caller: AuthUser, id: string): Promise<User> {
    if (caller.role !== Role.Admin && caller.id !== id) {
      throw new ForbiddenException('Only an admin may view other users');
    }
    return this.getById(id);
  }

  adminExists(): Promise<boolean> {
    return this.users.existsBy({ role: Role.Admin });
  }

  /**
   * An admin's change of status and role. Disabling (or returning to pending) revokes the
   * user's sessions; the session lookup already refuses non-active users, the revocation
   * keeps those sessions dead if the account is enabled again.
   */
  async updateByAdmin(actor: AuthUser, id: string, change: UpdateUserDto, ip?: string): Promise<User> {
    // Taking access away or handing out power needs a fresh token (a stolen, refreshed one must
    // not lock out other admins); approving or re-enabling does not. Asked before looking
    // anything up, so a stale token learns nothing about the target.
    if (needsFreshToken(change) && !actor.fresh) throw new UnauthorizedException(FRESH_TOKEN_REQUIRED);
    const now = new Date();
    const outcome = await this.withActiveAdminsLocked(async (repo, activeAdminIds) => {
      const user = await repo.findOne({ where: { id }, lock: this.rowLock() });
      if (!user) return new NotFoundException('User not found');
      const before: Standing = { role: user.role, status: user.status };
      const after: Standing = { role: change.role ?? user.role, status: change.status ?? user.status };
      if (after.role === before.role && after.status === before.status) return { user, before };
      if (isActiveAdmin(before) && !isActiveAdmin(after) && !activeAdminIds.some((adminId) => adminId !== id)) {
        return new ConflictException(LAST_ADMIN);
      }
      await repo.update({ id }, { ...after, updatedAt: now });
      return { user: { ...user, ...after, updatedAt: now }, before };
    });
    if (outcome instanceof HttpException) throw outcome;

    const { user, before } = outcome;
    if (before.status !== user.status) {
      if (user.status !== UserStatus.Active) await this.sessions.revokeAll(id);
      await this.events.emit('user.updated', {
        kind: statusChange(before.status, user.status),
        actorId: actor.id,
        userId: id,
        ip,
        from: before.status,
        to: user.status,
      });
    }
    if (before.role !== user.role) {
      await this.events.emit('user.updated', {
        kind: 'role_changed',
        actorId: actor.id,
        userId: id,
        ip,
        from: before.role,
        to: user.role,
      });
    }
    return user;
  }

  /**
   * Deletes an account (an admin's or the user's own); authors and sessions go with it
   * (foreign keys cascade). The last active admin cannot be deleted.
   */
  async remove(actorId: string, id: string, ip?: string): Promise<void> {
    const outcome = await this.withActiveAdminsLocked(async (repo, activeAdminIds) => {
      const user = await repo.findOne({ where: { id }, lock: this.rowLock() });
      if (!user) return new NotFoundException('User not found');
      if (isActiveAdmin(user) && !activeAdminIds.some((adminId) => adminId !== id)) return new ConflictException(LAST_ADMIN);
      await repo.delete({ id });
      return user;
    });
    if (outcome instanceof HttpException) throw outcome;
    await this.events.emit('user.deleted', { actorId, userId: id, ip, username: outcome.username, role: outcome.role });
  }

  /** Used by the ADMIN_USERNAME bootstrap when that account already exists. */
  async makeActiveAdmin(id: string): Promise<void> {
    await this.users.update({ id }, { role: Role.Admin, status: UserStatus.Active, updatedAt: new Date() });
  }

  /**
   * Runs `work` in one transaction that first locks every active admin row, in id order so
   * concurrent callers queue instead of deadlocking: two concurrent changes cannot each see
   * "another admin remains" and together remove both (see lockingTransaction).
   */
  private withActiveAdminsLocked<T>(work: (repo: Repository<User>, activeAdminIds: string[]) => Promise<T>): Promise<T> {
    return lockingTransaction(this.dataSource, async (manager) => {
      const repo = manager.getRepository(User);
      const admins = await repo.find({
        select: { id: true },
        where: { role: Role.Admin, status: UserStatus.Active },
        order: { id: 'ASC' },
        lock: this.rowLock(),
      });
      return work(
        repo,
        admins.map((admin) => admin.id),
      );
    });
  }

  private rowLock() {
    return writeLock(this.dataSource);
  }

  private assertPasswordAllowed(password: string, username: string, field: string): void {
    const violation = this.policy.violation(password, username, field);
    if (violation) throw new BadRequestException([violation]);
  }
}

/** A role change (either way) or any status but active: disabled, or back to pending. */
function needsFreshToken(change: UpdateUserDto): boolean {
  return change.role !== undefined || (change.status !== undefined && change.status !== UserStatus.Active);
}

function isActiveAdmin(user: Standing): boolean {
  return user.role === Role.Admin && user.status === UserStatus.Active;
}

function statusChange(from: UserStatus, to: UserStatus): UserChangeKind {
  if (to === UserStatus.Disabled) return 'disabled';
  if (to === UserStatus.Active) return from === UserStatus.Pending ? 'approved' : 'enabled';
  return 'status_changed';
}
