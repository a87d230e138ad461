import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { LoginMethods } from '../login/login-methods.js';
import { UserIdentityDto } from './dto/user-identity.dto.js';
import { UserIdentity } from './user-identity.entity.js';

const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

const NOT_LINKED = 'No identity of this provider is linked to the account';

/** The caller's linked OpenID Connect identities. */
@Injectable()
export class IdentitiesService {
  constructor(
    @InjectRepository(UserIdentity) private readonly identities: Repository<UserIdentity>,
    private readonly loginMethods: LoginMethods,
    private readonly events: DomainEventBus,
  ) {}

  async list(userId: string): Promise<UserIdentityDto[]> {
    const rows = await this.identities.find({ where: { userId }, order: { linkedAt: 'ASC', provider: 'ASC' } });
    return rows.map((row) => UserIdentityDto.from(row));
  }

  async unlink(userId: string, provider: string, ip?: string): Promise<void> {
    // Not a provider id at all (e.g. a NUL byte, which PostgreSQL refuses outright): nothing to look up.
    if (!PROVIDER_ID.test(provider)) throw new NotFoundException(NOT_LINKED);
    const outcome = await this.loginMethods.remove(userId, { provider });
    if (outcome === 'missing') throw new NotFoundException(NOT_LINKED);
    if (outcome === 'last') throw new ConflictException('This is the account’s only way to log in: set a password or add a passkey first');
    await this.events.emit('oidc.unlinked', { userId, provider, ip });
  }
}
