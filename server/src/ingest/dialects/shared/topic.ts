/** Whether topic levels match MQTT filter levels that may hold single-level `+` wildcards (no `#`). */
export function matchLevels(filter: readonly string[], levels: readonly string[]): boolean {
  if (filter.length !== levels.length) return false;
  return filter.every((f, i) => f === '+' || f === levels[i]);
}

/** A device's plain-text online flag (Shelly `true`/`false`, Tasmota `Online`/`Offline`), or undefined. */
export function parseOnline(payload: Buffer, online: string, offline: string): boolean | undefined {
  const text = payload.toString('utf8').trim().toLowerCase();
  if (text === online) return true;
  if (text === offline) return false;
  return undefined;
}
