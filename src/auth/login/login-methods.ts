import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Not } from 'typeorm';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { lockingTransaction, writeLock } from '../../database/locking-transaction.js';
import { User } from '../../users/user.entity.js';
import { UserIdentity } from '../oidc/user-identity.entity.js';
import { Passkey } from '../passkeys/passkey.entity.js';

type Removal = { passkeyId: string } | { provider: string };

/**
 * The ways an account can log in: its password, its passkeys, its linked OIDC identities.
 * Removing one of them must never leave none (API.md's 409).
 */
@Injectable()
export class LoginMethods {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: DomainEventBus,
  ) {}

  /**
   * Deletes one passkey or linked identity of the account, unless it is the account's last way to
   * log in. The user's row is locked first, so two removals racing each other (two tabs, a passkey
   * and a provider at once) cannot each see the other's method remain and together remove both.
   * `missing`: there was nothing to delete, e.g. a concurrent request removed it first.
   */
  remove(userId: string, removing: Removal): Promise<'removed' | 'last' | 'missing'> {
    return lockingTransaction(this.dataSource, async (manager) => {
      const user = await manager.getRepository(User).findOne({ where: { id: userId }, lock: writeLock(this.dataSource) });
      if (!user) return 'missing';
      if (!(await this.remainWithout(manager, user, removing))) return 'last';
      const deleted =
        'passkeyId' in removing
          ? await manager.delete(Passkey, { id: removing.passkeyId, userId })
          : await manager.delete(UserIdentity, { userId, provider: removing.provider });
      return deleted.affected ? 'removed' : 'missing';
    });
  }

  /**
   * Every passkey and linked provider of the account, after a password reset first proved its
   * mailbox (PasswordResetService.reset says why). The new password remains as a way to log in.
   */
  async removeUnproven(userId: string, ip?: string): Promise<void> {
    const reason = 'first-email-proof';
    for (const { id } of await this.dataSource.getRepository(Passkey).findBy({ userId })) {
      const deleted = await this.dataSource.getRepository(Passkey).delete({ id, userId });
      if (deleted.affected) await this.events.emit('passkey.removed', { userId, passkeyId: id, ip, reason });
    }
    for (const { provider } of await this.dataSource.getRepository(UserIdentity).findBy({ userId })) {
      const deleted = await this.dataSource.getRepository(UserIdentity).delete({ userId, provider });
      if (deleted.affected) await this.events.emit('oidc.unlinked', { userId, provider, ip, reason });
    }
  }

  /** True when the account keeps a way to log in without the given passkey or provider. */
  private async remainWithout(manager: EntityManager, user: User, removing: Removal): Promise<boolean> {
    if (user.passwordHash) return true;
    const passkeys = await manager.countBy(Passkey, 'passkeyId' in removing ? { userId: user.id, id: Not(removing.passkeyId) } : { userId: user.id });
    if (passkeys > 0) return true;
    const identities = await manager.countBy(UserIdentity, 'provider' in removing ? { userId: user.id, provider: Not(removing.provider) } : { userId: user.id });
    return identities > 0;
  }
}
