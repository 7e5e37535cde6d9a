/**
 * Reads the few samples the live chart needs out of the local stack's `GET /metrics`
 * (the OpenMetrics text format): `name value` lines without labels. Names come from the
 * Wasm contract (`contract().metrics`), the same the local stack registers.
 */

/** The value of each of `names` in the scrape `text`; a name not there is absent. */
export function samplesIn(text: string, names: readonly string[]): Map<string, number> {
  const wanted = new Set(names);
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const name = line.slice(0, space);
    if (!wanted.has(name)) continue;
    const value = Number(
      line
        .slice(space + 1)
        .trim()
        .split(' ')[0],
    );
    if (Number.isFinite(value)) found.set(name, value);
  }
  return found;
}
