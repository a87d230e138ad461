import { BadRequestException, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Role } from '../common/role.enum.js';
import { AdminConfig } from '../config/admin.config.js';
import { PasswordService } from '../passwords/password.service.js';
import { UserStatus } from './user.entity.js';
import { isUniqueViolation } from '../common/database-errors.js';
import { UsersService } from './users.service.js';

/**
 * Creates the first admin from ADMIN_USERNAME / ADMIN_PASSWORD when no admin exists yet,
 * so a fresh deployment can be administered without touching the database.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly config: AdminConfig,
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { username, password } = this.config;
    if (!username || !password) return;
    if (await this.users.adminExists()) {
      this.logger.log('An admin exists already; ADMIN_USERNAME / ADMIN_PASSWORD are not used');
      return;
    }

    const existing = await this.users.findByUsername(username);
    if (existing) {
      // Someone may have registered that name first: only the holder of ADMIN_PASSWORD gets promoted.
      if (existing.passwordHash && (await this.passwords.verify(existing.passwordHash, password))) {
        await this.users.makeActiveAdmin(existing.id);
        this.logger.log(`Promoted the existing user "${existing.username}" to an active admin (ADMIN_USERNAME)`);
      } else {
        this.logger.warn(
          `ADMIN_USERNAME "${username}" is taken by an account with a different password: no admin was created. ` +
            'Create one with `npm run user:create -- --username NAME --admin`.',
        );
      }
      return;
    }

    try {
      const user = await this.users.create({ username, password, role: Role.Admin, status: UserStatus.Active });
      this.logger.log(`Created the admin "${user.username}" from ADMIN_USERNAME`);
    } catch (error) {
      if (error instanceof BadRequestException) {
        const rules = [(error.getResponse() as { message?: unknown }).message].flat().join('; ');
        // A configured but unusable admin is a configuration error: fail start-up like any other.
        throw new Error(`ADMIN_PASSWORD is not accepted by the password policy: ${rules}`);
      }
      if (isUniqueViolation(error)) {
        this.logger.log(`The admin "${username}" was just created by another instance`);
        return;
      }
      throw error;
    }
  }
}
