import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Not } from 'typeorm';
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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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

  /** True when the account keeps a way to log in without the given passkey or provider. */
  private async remainWithout(manager: EntityManager, user: User, removing: Removal): Promise<boolean> {
    if (user.passwordHash) return true;
    const passkeys = await manager.countBy(Passkey, 'passkeyId' in removing ? { userId: user.id, id: Not(removing.passkeyId) } : { userId: user.id });
    if (passkeys > 0) return true;
    const identities = await manager.countBy(UserIdentity, 'provider' in removing ? { userId: user.id, provider: Not(removing.provider) } : { userId: user.id });
    return identities > 0;
  }
}
