import { AppConfig } from './app-config.js';

/** ConfigModule's validate hook: stops start-up with every offending variable named. */
export function validateEnvironment(raw: Record<string, unknown>): Record<string, unknown> {
  // Empty strings mean "unset", as a shell `VAR=` usually intends.
  const present = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== ''));
  new AppConfig(present as Record<string, string | undefined>);
  return present;
}
