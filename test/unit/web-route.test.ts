import { describe, expect, it } from 'vitest';
import { OVERVIEW, parseRoute, routeHash } from '../../web/src/lib/route.js';

describe('routes', () => {
  it('reads the overview and a site page from the hash', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/overview')).toEqual({ view: 'overview' });
    expect(parseRoute('#/site/site-1')).toEqual({ view: 'site', site: 'site-1' });
    expect(parseRoute('#site/dc_east.2')).toEqual({ view: 'site', site: 'dc_east.2' });
  });

  it('falls back to the overview for anything else', () => {
    expect(parseRoute('#/site')).toBe(OVERVIEW);
    expect(parseRoute('#/site/')).toBe(OVERVIEW);
    expect(parseRoute('#/site/a/b')).toBe(OVERVIEW);
    expect(parseRoute('#/nowhere')).toBe(OVERVIEW);
    // Not a site id the server accepts: spaces, slashes, too long, a broken escape.
    expect(parseRoute('#/site/two%20words')).toBe(OVERVIEW);
    expect(parseRoute('#/site/a%2Fb')).toBe(OVERVIEW);
    expect(parseRoute(`#/site/${'x'.repeat(65)}`)).toBe(OVERVIEW);
    expect(parseRoute('#/site/%E0%A4%A')).toBe(OVERVIEW);
  });

  it('writes the hash a link uses, and reads it back', () => {
    expect(routeHash({ view: 'site', site: 'site-1' })).toBe('#/site/site-1');
    expect(routeHash(OVERVIEW)).toBe('#/overview');
    expect(parseRoute(routeHash({ view: 'site', site: 'dc_east.2' }))).toEqual({ view: 'site', site: 'dc_east.2' });
  });
});
