import { BadRequestException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Role } from '../common/role.enum.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { PasswordService } from '../passwords/password.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { normalizeUsername, User, UserStatus } from './user.entity.js';

export interface NewUser {
  username: string;
  password: string;
  name?: string | null;
  role?: Role;
  status?: UserStatus;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly passwords: PasswordService,
    private readonly policy: PasswordPolicyService,
    private readonly sessions: SessionsService,
  ) {}

  /** Applies the password policy; a taken username surfaces as 409 through the error filter. */
  async create(input: NewUser): Promise<User> {
    this.assertPasswordAllowed(input.password, input.username, 'password');
    const now = new Date();
    const user = this.users.create({
      id: randomUUID(),
      username: input.username,
      usernameNormalized: normalizeUsername(input.username),
      name: input.name ?? null,
      passwordHash: await this.passwords.hash(input.password),
      role: input.role ?? Role.User,
      status: input.status ?? UserStatus.Active,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
    });
    return this.users.save(user);
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByUsername(username: string): Promise<User | null> {
    return this.users.findOneBy({ usernameNormalized: normalizeUsername(username) });
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

  /** Keeps the caller's session and ends every other one: a thief's session dies with the old password. */
  async changePassword(id: string, currentSessionId: string, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.getById(id);
    if (!(await this.passwords.verify(user.passwordHash, currentPassword))) {
      throw new UnauthorizedException('Current password is wrong');
    }
    this.assertPasswordAllowed(newPassword, user.username, 'newPassword');
    const passwordHash = await this.passwords.hash(newPassword);
    await this.users.update({ id }, { passwordHash, updatedAt: new Date() });
    await this.sessions.revokeAll(id, currentSessionId);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: at });
  }

  /** Authors and sessions go with the user (foreign keys cascade). */
  async remove(id: string): Promise<void> {
    const result = await this.users.delete({ id });
    if (!result.affected) throw new NotFoundException('User not found');
  }

  private assertPasswordAllowed(password: string, username: string, field: string): void {
    const violation = this.policy.violation(password, username, field);
    if (violation) throw new BadRequestException([violation]);
  }
}
