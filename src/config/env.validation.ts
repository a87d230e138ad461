import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import {
  IsBooleanString,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { Type } from 'class-transformer';

const DURATION = /^[1-9]\d*\s*[smhd]?$/;
const DURATION_MESSAGE = '$property must be a duration such as 900, 30s, 15m, 12h or 7d';

/** The environment as the service accepts it; defaults live in app-config.ts. */
export class EnvironmentVariables {
  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsOptional()
  @Matches(/^(sqlite:.+|mysql:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<file>, sqlite::memory: or mysql://user:pass@host:3306/db',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters long' })
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  JWT_AUDIENCE?: string;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  JWT_ACCESS_TTL?: string;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  JWT_REFRESH_TTL?: string;

  @IsOptional()
  @IsBooleanString({ message: 'REQUIRE_APPROVAL must be true or false' })
  REQUIRE_APPROVAL?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{3,32}$/, {
    message: 'ADMIN_USERNAME must be 3-32 letters, digits, ".", "_" or "-"',
  })
  ADMIN_USERNAME?: string;

  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(8)
  @Max(128)
  PASSWORD_MIN_LENGTH?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES?: number;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  LOGIN_LOCKOUT?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  THROTTLE_AUTH_LIMIT?: number;

  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @IsOptional()
  @IsBooleanString({ message: 'DOCS_ENABLED must be true or false' })
  DOCS_ENABLED?: string;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  SHUTDOWN_TIMEOUT?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, { message: 'APP_URL must be an http(s) URL such as https://auth.example.com' })
  APP_URL?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be smtp://user:pass@host:587 or smtps://...' })
  SMTP_URL?: string;

  @IsOptional()
  @IsEmail({ require_tld: false }, { message: 'MAIL_FROM must be an email address' })
  MAIL_FROM?: string;

  @IsOptional()
  @IsString()
  MAIL_OUTBOX?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  MAIL_PER_HOUR?: number;

  @IsOptional()
  @IsBooleanString({ message: 'REQUIRE_EMAIL_VERIFICATION must be true or false' })
  REQUIRE_EMAIL_VERIFICATION?: string;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  VERIFY_TOKEN_TTL?: string;

  @IsOptional()
  @Matches(DURATION, { message: DURATION_MESSAGE })
  RESET_TOKEN_TTL?: string;
}

/** ConfigModule's validate hook: stops start-up with every offending variable named. */
export function validateEnvironment(raw: Record<string, unknown>): Record<string, unknown> {
  // Empty strings mean "unset", as a shell `VAR=` usually intends.
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  const env = plainToInstance(EnvironmentVariables, present);
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new Error(`Invalid configuration:\n  - ${lines.join('\n  - ')}`);
  }
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
    throw new Error('Invalid configuration:\n  - JWT_SECRET is required (at least 32 characters) when NODE_ENV=production');
  }
  if (Boolean(env.ADMIN_USERNAME) !== Boolean(env.ADMIN_PASSWORD)) {
    throw new Error('Invalid configuration:\n  - ADMIN_USERNAME and ADMIN_PASSWORD must be set together');
  }
  return present;
}
