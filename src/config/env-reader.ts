import { parseDurationSeconds } from './duration.js';

export type Environment = Record<string, string | undefined>;

/**
 * Reads variables for one configuration area: each variable's name, rule and default sit on
 * one line of its area's class. Problems are collected, so start-up names every bad variable.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  /** The raw value; an empty string means unset, as a shell `VAR=` usually intends. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Stops start-up naming every bad variable read so far. */
  assertValid(): void {
    if (this.problems.length > 0) throw new Error(`Invalid configuration:\n  - ${this.problems.join('\n  - ')}`);
  }

  string(name: string, fallback: string, rule: { minLength?: number; maxLength?: number } = {}): string {
    return this.optionalString(name, rule) ?? fallback;
  }

  optionalString(name: string, { minLength = 1, maxLength = Infinity }: { minLength?: number; maxLength?: number } = {}): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.length < minLength) this.problem(`${name} must be at least ${minLength} characters long`);
    else if (value.length > maxLength) this.problem(`${name} must be at most ${maxLength} characters long`);
    return value;
  }

  /** A value that must match `pattern`; `message` says what is accepted. */
  matching(name: string, pattern: RegExp, message: string): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && !pattern.test(value)) this.problem(message);
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || parsed < min || parsed > max) {
      this.problem(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  }

  /** "900", "30s", "15m", "12h" or "7d", in seconds. */
  duration(name: string, fallback: string): number {
    const value = this.raw(name) ?? fallback;
    const seconds = parseDurationSeconds(value);
    if (seconds === undefined) {
      this.problem(`${name} must be a duration such as 900, 30s, 15m, 12h or 7d`);
      return parseDurationSeconds(fallback)!;
    }
    return seconds;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value !== 'true' && value !== 'false') this.problem(`${name} must be true or false`);
    return value === 'true';
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!values.includes(value as T)) {
      this.problem(`${name} must be one of: ${values.join(', ')}`);
      return fallback;
    }
    return value as T;
  }
}
