import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbuseModule } from '../abuse/abuse.module.js';
import { Clock } from '../common/clock.js';
import { OneTimeTokensModule } from '../one-time-tokens/one-time-tokens.module.js';
import { User } from '../users/user.entity.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { AuthEmailController } from './email/auth-email.controller.js';
import { UserEmailController } from './email/user-email.controller.js';
import { EmailVerificationService } from './email/email-verification.service.js';
import { MailQuotaService } from './email/mail-quota.service.js';
import { PasswordResetService } from './email/password-reset.service.js';
import { AccessPolicyGuard } from './guards/access-policy.guard.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { LoginMethods } from './login/login-methods.js';
import { LoginService } from './login/login.service.js';
import { MfaAdminController } from './mfa/mfa-admin.controller.js';
import { MfaController } from './mfa/mfa.controller.js';
import { MfaService } from './mfa/mfa.service.js';
import { RecoveryCode } from './mfa/recovery-code.entity.js';
import { SecretBox } from './mfa/secret-box.js';
import { TotpAuthenticator } from './mfa/totp-authenticator.entity.js';
import { TotpService } from './mfa/totp.js';
import { IdentitiesController } from './oidc/identities.controller.js';
import { IdentitiesService } from './oidc/identities.service.js';
import { OidcClients } from './oidc/oidc-clients.js';
import { OidcController } from './oidc/oidc.controller.js';
import { OidcService } from './oidc/oidc.service.js';
import { UserIdentity } from './oidc/user-identity.entity.js';
import { Passkey } from './passkeys/passkey.entity.js';
import { PasskeysController } from './passkeys/passkeys.controller.js';
import { PasskeysService } from './passkeys/passkeys.service.js';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { JwksController } from './tokens/jwks.controller.js';
import { KeyRing } from './tokens/key-ring.js';
import { TokensService } from './tokens/tokens.service.js';

@Module({
  imports: [
    PassportModule.register({ session: false }),
    AbuseModule,
    UsersModule,
    SessionsModule,
    PasswordsModule,
    OneTimeTokensModule,
    TypeOrmModule.forFeature([Passkey, TotpAuthenticator, RecoveryCode, User, UserIdentity]),
  ],
  controllers: [AuthController, JwksController, AuthEmailController, UserEmailController, PasskeysController, MfaController, MfaAdminController, OidcController, IdentitiesController],
  providers: [
    AuthService,
    LoginService,
    LoginMethods,
    OidcClients,
    OidcService,
    IdentitiesService,
    EmailVerificationService,
    PasswordResetService,
    MailQuotaService,
    PasskeysService,
    MfaService,
    TotpService,
    SecretBox,
    Clock,
    KeyRing,
    TokensService,
    LocalStrategy,
    JwtStrategy,
    JwtRefreshStrategy,
    JwtAuthGuard,
    AccessPolicyGuard,
  ],
  exports: [JwtAuthGuard, AccessPolicyGuard],
})
export class AuthModule {}
