import { AbuseConfig } from './abuse.config.js';
import { AccountsConfig } from './accounts.config.js';
import { AdminConfig } from './admin.config.js';
import { DatabaseConfig } from './database.config.js';
import { DocsConfig } from './docs.config.js';
import { EncryptionConfig } from './encryption.config.js';
import { EnvReader, type Environment } from './env-reader.js';
import { HttpConfig } from './http.config.js';
import { LoggingConfig } from './logging.config.js';
import { MailConfig } from './mail.config.js';
import { MetricsConfig } from './metrics.config.js';
import { OidcConfig } from './oidc.config.js';
import { TokensConfig } from './tokens.config.js';
import { WebAuthnConfig } from './webauthn.config.js';

const NODE_ENVS = ['development', 'production', 'test'] as const;

/**
 * The whole configuration (see API.md's table), one class per area. Each area reads its
 * own variables; a module injects just the area it needs (config.module.ts provides each).
 * Constructing it validates every variable and throws naming each bad one.
 */
export class AppConfig {
  readonly nodeEnv: (typeof NODE_ENVS)[number];
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly tokens: TokensConfig;
  readonly accounts: AccountsConfig;
  readonly abuse: AbuseConfig;
  readonly admin: AdminConfig;
  readonly docs: DocsConfig;
  readonly logging: LoggingConfig;
  readonly mail: MailConfig;
  readonly metrics: MetricsConfig;
  readonly encryption: EncryptionConfig;
  readonly webauthn: WebAuthnConfig;
  readonly oidc: OidcConfig;

  constructor(env: Environment) {
    const read = new EnvReader(env);
    this.nodeEnv = read.oneOf('NODE_ENV', NODE_ENVS, 'development');
    this.http = new HttpConfig(read);
    this.database = new DatabaseConfig(read);
    this.tokens = new TokensConfig(read, this.nodeEnv === 'production');
    this.accounts = new AccountsConfig(read);
    this.abuse = new AbuseConfig(read);
    this.admin = new AdminConfig(read);
    this.docs = new DocsConfig(read);
    this.logging = new LoggingConfig(read, this.nodeEnv === 'test');
    this.mail = new MailConfig(read);
    this.metrics = new MetricsConfig(read);
    this.encryption = new EncryptionConfig(read, this.nodeEnv === 'production');
    this.webauthn = new WebAuthnConfig(read, this.http.appUrl);
    this.oidc = new OidcConfig(read, this.http.appUrl);
    read.assertValid();
  }
}

