const BASE = 'http://return-to.invalid';

/**
 * `returnTo` only ever names a path of this origin: anything else (`//evil.com`, `/\evil.com`,
 * `https://evil.com`, control characters, a very long value) becomes `/`.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  try {
    return new URL(value, BASE).origin === BASE ? value : '/';
  } catch {
    return '/';
  }
}
