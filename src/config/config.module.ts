import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AbuseConfig } from './abuse.config.js';
import { AccountsConfig } from './accounts.config.js';
import { AdminConfig } from './admin.config.js';
import { AppConfig } from './app-config.js';
import { DatabaseConfig } from './database.config.js';
import { DocsConfig } from './docs.config.js';
import { EncryptionConfig } from './encryption.config.js';
import { validateEnvironment } from './env.validation.js';
import { HttpConfig } from './http.config.js';
import { LoggingConfig } from './logging.config.js';
import { MailConfig } from './mail.config.js';
import { MetricsConfig } from './metrics.config.js';
import { OidcConfig } from './oidc.config.js';
import { TokensConfig } from './tokens.config.js';
import { WebAuthnConfig } from './webauthn.config.js';

/** Each area is provided from the one AppConfig, so replacing AppConfig (as the tests do) replaces them all. */
const area = <T>(provide: abstract new (...args: never[]) => T, pick: (config: AppConfig) => T) => ({
  provide,
  inject: [AppConfig],
  useFactory: pick,
});

const AREAS = [
  area(HttpConfig, (config) => config.http),
  area(DatabaseConfig, (config) => config.database),
  area(TokensConfig, (config) => config.tokens),
  area(AccountsConfig, (config) => config.accounts),
  area(AbuseConfig, (config) => config.abuse),
  area(AdminConfig, (config) => config.admin),
  area(DocsConfig, (config) => config.docs),
  area(LoggingConfig, (config) => config.logging),
  area(MailConfig, (config) => config.mail),
  area(MetricsConfig, (config) => config.metrics),
  area(EncryptionConfig, (config) => config.encryption),
  area(WebAuthnConfig, (config) => config.webauthn),
  area(OidcConfig, (config) => config.oidc),
];

@Global()
@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true, validate: validateEnvironment, cache: true })],
  providers: [
    {
      provide: AppConfig,
      inject: [ConfigService],
      // ConfigService holds the validated environment; AppConfig reads it by variable name.
      useFactory: (config: ConfigService) =>
        new AppConfig(new Proxy({}, { get: (_, key: string) => config.get<string>(key) })),
    },
    ...AREAS,
  ],
  exports: [AppConfig, ...AREAS.map((provider) => provider.provide)],
})
export class AppConfigModule {}
