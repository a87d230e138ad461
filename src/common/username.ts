/** API.md: 3-32 letters, digits, ".", "_" or "-" (ASCII only, so a name has one spelling per letter case). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;

export function isValidUsername(username: string): boolean {
  return USERNAME_PATTERN.test(username);
}

/**
 * The key that makes usernames unique and finds accounts. Only valid usernames have one:
 * they are ASCII, so lower-casing is the whole normalization, and the database compares
 * the key byte-wise (no collation may fold "rôot" or "root   " into "root").
 */
export function normalizeUsername(username: string): string {
  return username.toLowerCase();
}
