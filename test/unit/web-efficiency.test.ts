import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/live/api.js';
import { parseEfficiency } from '../../web/src/live/efficiency.js';

/** An answer as GET /api/efficiency sends it (server/src/api/routes/efficiency.ts), trimmed to one PDU and two rigs. */
function answer(): Record<string, unknown> {
  return {
    site: 'site-1',
    from: 1_000,
    to: 3_601_000,
    total: {
      kwh: 5.978,
      th: 965_500.88,
      jth: 22.29,
      energy_completeness: 0.9,
      hash_completeness: 0.95,
      rigs: 2,
      meter_kwh: 7.363,
      jth_facility: 27.45,
    },
    overhead: { ratio: 1.2317, meter_kwh: 7.363, it_kwh: 5.978, meter_completeness: 0.9, it_completeness: 0.9 },
    pdus: [{ pdu: 'r01-pdu1', kwh: 0.125, th: 16_254.355, jth: 27.68, energy_completeness: 0.9, hash_completeness: 0.9, rigs: 12 }],
    rigs: [
      {
        rig: 'site-1-r01-u01',
        pdu: 'r01-pdu1',
        model: 'Antminer S19j Pro',
        kwh: 0.012,
        th: 1564.68,
        jth: 27.61,
        energy_completeness: 0.9,
        hash_completeness: 0.95,
        nameplate: { model: 'Antminer S19j Pro', hashrate_ths: 104, power_w: 3068, jth: 29.5 },
        drift: -0.064,
        note: null,
      },
      {
        rig: 'site-1-r01-u11',
        pdu: 'r01-pdu1',
        model: 'Mystery 9000',
        kwh: null,
        th: 0,
        jth: null,
        energy_completeness: null,
        hash_completeness: 0.95,
        nameplate: null,
        drift: null,
        note: 'no outlet readings for this rig in the range: no energy, no J/TH',
      },
    ],
    note: 'J/TH = energy (J) / hash-work (TH) …',
  };
}

describe('parseEfficiency', () => {
  it('keeps the fields the site page shows, exactly', () => {
    expect(parseEfficiency(answer())).toEqual({
      site: 'site-1',
      from: 1_000,
      to: 3_601_000,
      total: {
        kwh: 5.978,
        th: 965_500.88,
        jth: 22.29,
        energy_completeness: 0.9,
        hash_completeness: 0.95,
        meter_kwh: 7.363,
        jth_facility: 27.45,
      },
      overhead: { ratio: 1.2317, meter_kwh: 7.363, it_kwh: 5.978 },
      pdus: [{ pdu: 'r01-pdu1', kwh: 0.125, th: 16_254.355, jth: 27.68, rigs: 12 }],
      rigs: [
        {
          rig: 'site-1-r01-u01',
          pdu: 'r01-pdu1',
          model: 'Antminer S19j Pro',
          kwh: 0.012,
          th: 1564.68,
          jth: 27.61,
          drift: -0.064,
          note: null,
          energy_completeness: 0.9,
          hash_completeness: 0.95,
          nameplate: { model: 'Antminer S19j Pro', jth: 29.5 },
        },
        {
          rig: 'site-1-r01-u11',
          pdu: 'r01-pdu1',
          model: 'Mystery 9000',
          kwh: null,
          th: 0,
          jth: null,
          drift: null,
          note: 'no outlet readings for this rig in the range: no energy, no J/TH',
          energy_completeness: null,
          hash_completeness: 0.95,
          nameplate: null,
        },
      ],
      skipped: 0,
    });
  });

  it('accepts a site without a meter (null overhead)', () => {
    const body = answer();
    body.overhead = { ratio: null, meter_kwh: null, it_kwh: 5.978, meter_completeness: null, it_completeness: 0.9 };
    expect(parseEfficiency(body).overhead).toEqual({ ratio: null, meter_kwh: null, it_kwh: 5.978 });
  });

  it('rejects an answer that is not an object, or lacks its arrays', () => {
    expect(() => parseEfficiency(null)).toThrow(new ApiError('efficiency is not an object'));
    expect(() => parseEfficiency([])).toThrow(ApiError);
    expect(() => parseEfficiency({ ...answer(), rigs: undefined })).toThrow(new ApiError('rigs is not an array'));
    expect(() => parseEfficiency({ ...answer(), pdus: {} })).toThrow(new ApiError('pdus is not an array'));
  });

  it('names the field when the envelope, total or overhead is wrong', () => {
    expect(() => parseEfficiency({ ...answer(), site: 7 })).toThrow(new ApiError('efficiency.site is not a string'));
    expect(() => parseEfficiency({ ...answer(), to: '3601000' })).toThrow(new ApiError('efficiency.to is not a finite number'));
    const total = { ...(answer().total as object), kwh: null };
    expect(() => parseEfficiency({ ...answer(), total })).toThrow(new ApiError('total.kwh is not a finite number'));
    const overhead = { ...(answer().overhead as object), ratio: 'high' };
    expect(() => parseEfficiency({ ...answer(), overhead })).toThrow(new ApiError('overhead.ratio is not a finite number'));
    expect(() => parseEfficiency({ ...answer(), overhead: undefined })).toThrow(new ApiError('overhead is not an object'));
  });

  it('treats NaN and Infinity as malformed, not as figures', () => {
    const total = { ...(answer().total as object), jth: Number.POSITIVE_INFINITY };
    expect(() => parseEfficiency({ ...answer(), total })).toThrow(new ApiError('total.jth is not a finite number'));
  });

  it('leaves out a malformed rig or PDU and counts it, keeping the rest', () => {
    const body = answer();
    const rigs = body.rigs as Record<string, unknown>[];
    body.rigs = [
      { ...rigs[0], drift: '6 %' },
      rigs[1],
      { ...rigs[0], rig: 'site-1-r01-u02', nameplate: { model: 'S19', jth: null } },
      'site-1-r01-u03',
    ];
    body.pdus = [...(body.pdus as unknown[]), { pdu: 'r01-pdu2', kwh: Number.NaN, th: 1, jth: null, rigs: 12 }];
    const parsed = parseEfficiency(body);
    expect(parsed.rigs.map((r) => r.rig)).toEqual(['site-1-r01-u11']);
    expect(parsed.pdus.map((p) => p.pdu)).toEqual(['r01-pdu1']);
    expect(parsed.skipped).toBe(4);
  });
});
