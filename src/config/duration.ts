const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "900", "30s", "15m", "12h" or "7d" into whole seconds; undefined when malformed. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * (match[2] ? UNIT_SECONDS[match[2]] : 1);
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}
