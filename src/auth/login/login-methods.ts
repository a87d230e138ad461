import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, Repository } from 'typeorm';
import type { User } from '../../users/user.entity.js';
import { UserIdentity } from '../oidc/user-identity.entity.js';
import { Passkey } from '../passkeys/passkey.entity.js';

/**
 * The ways an account can log in: its password, its passkeys, its linked OIDC identities.
 * Removing one of them must never leave none (API.md's 409).
 */
@Injectable()
export class LoginMethods {
  constructor(
    @InjectRepository(Passkey) private readonly passkeys: Repository<Passkey>,
    @InjectRepository(UserIdentity) private readonly identities: Repository<UserIdentity>,
  ) {}

  /** True when the account keeps a way to log in without the given passkey or provider. */
  async remainWithout(user: User, removing: { passkeyId: string } | { provider: string }): Promise<boolean> {
    if (user.passwordHash) return true;
    const passkeys = await this.passkeys.countBy('passkeyId' in removing ? { userId: user.id, id: Not(removing.passkeyId) } : { userId: user.id });
    if (passkeys > 0) return true;
    const identities = await this.identities.countBy('provider' in removing ? { userId: user.id, provider: Not(removing.provider) } : { userId: user.id });
    return identities > 0;
  }
}
