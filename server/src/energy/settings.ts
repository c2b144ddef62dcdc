import type { SeriesOptions } from './types.js';

/** Which kind of series a key names: a PDU outlet (`pdu/outlet`) or a facility meter (its id). */
export type SeriesKind = 'outlet' | 'meter';

/**
 * What the accounting must know about a device that its readings do not say: the width of its energy register
 * (where it rolls over) and the most power it can draw (above which a register jump is a spike). The fleet file
 * gives them per PDU, outlet and meter (docs/fleet.md); every energy answer — raw or from rollups, the API, the
 * rollup worker, comparison and reconciliation — reads them here, so they all count the same way.
 */
export interface SeriesSettings {
  optionsOf(site: string, kind: SeriesKind, key: string): Partial<SeriesOptions> | undefined;
  /**
   * The settings of every series of a site, as one string: rollups computed under another fingerprint are
   * recomputed. The empty string means no per-series settings (what rollups were computed with before any).
   */
  fingerprint(site: string): string;
}

export const NO_SERIES_SETTINGS: SeriesSettings = {
  optionsOf: () => undefined,
  fingerprint: () => '',
};

/** The options of one site's series, for the accounting (which knows only the series key). */
export type OptionsOf = (kind: SeriesKind, key: string) => Partial<SeriesOptions> | undefined;

export function optionsForSite(settings: SeriesSettings | undefined, site: string): OptionsOf | undefined {
  return settings ? (kind, key) => settings.optionsOf(site, kind, key) : undefined;
}
