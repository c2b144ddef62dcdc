/**
 * Which time zone a site keeps its calendar in: utilities bill demand and energy by local clock quarters,
 * days and months. The server answers from the fleet file's `time_zone` (UTC for a site without one); a
 * route given `tz` uses that instead.
 */
export interface SiteDirectory {
  /** An IANA zone name, e.g. `America/New_York`. */
  timeZoneOf(site: string): string;
}

export const utcSites: SiteDirectory = {
  timeZoneOf: () => 'UTC',
};
