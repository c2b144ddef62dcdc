/**
 * Which time zone a site keeps its calendar in: utilities bill demand and energy by local clock quarters,
 * days and months. The fleet file will back this (the lead wires it); until then every site is UTC unless a
 * route is given `tz` explicitly.
 */
export interface SiteDirectory {
  /** An IANA zone name, e.g. `America/New_York`. */
  timeZoneOf(site: string): string;
}

export const utcSites: SiteDirectory = {
  timeZoneOf: () => 'UTC',
};
