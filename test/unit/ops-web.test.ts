import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../../server/src/operations/contract.js';
import { AlertBoard, alertOrder, barFraction, formatCheck, formatUtil, heatHue, nodeFromHash, opsHash } from '../../web/src/views/operations-model.js';

const alert = (id: number, extra: Partial<AlertRecord> = {}): AlertRecord => ({
  id, key: `k${id}`, rule: 'overload', severity: 'critical', site: 's', node: 'pdu:s/p1', subject: 's › p1', message: 'm',
  value: 1, peak: 1, threshold: 1, unit: 'A', since: id * 1000, raised_at: id * 1000, cleared_at: null, acked_at: null, acked_by: null, ...extra,
});

describe('operations page address', () => {
  it('keeps the node in the hash, and reads only node ids the server accepts', () => {
    expect(opsHash('facility')).toBe('#/operations');
    expect(opsHash('pdu:site-1/r01-pdu1')).toBe('#/operations/pdu%3Asite-1%2Fr01-pdu1');
    expect(nodeFromHash('#/operations/pdu%3Asite-1%2Fr01-pdu1')).toBe('pdu:site-1/r01-pdu1');
    expect(nodeFromHash('#/operations')).toBe('facility');
    expect(nodeFromHash('#/operations/site%3Ax%20y')).toBe('facility');
    expect(nodeFromHash('#/operations/%E0%A4%A')).toBe('facility');
    expect(nodeFromHash('#/operations/bogus%3Ax')).toBe('facility');
  });
});

describe('capacity drawing', () => {
  it('scales bars to 125 % of the limit and colours the heat map green → amber → red', () => {
    expect([barFraction(null), barFraction(0.5), barFraction(1), barFraction(2)]).toEqual([0, 0.4, 0.8, 1]);
    expect([heatHue(0.2), heatHue(0.5), heatHue(0.8), heatHue(0.9), heatHue(1), heatHue(1.3)]).toEqual([130, 130, 40, 20, 0, 0]);
    expect([formatUtil(null), formatUtil(0.976)]).toEqual(['—', '98 %']);
    const check = { id: 'x', kind: 'bank', label: 'b', unit: 'A', load: 15.5, rating: 20, limit: 16, utilisation: 0.97, level: 'warn', source: 'measured' } as const;
    expect(formatCheck(check)).toBe('15.5 / 16.0 A');
  });
});

describe('alert board', () => {
  it('orders unacknowledged before acknowledged, critical before warning, newest first', () => {
    const list = [alert(1), alert(2, { severity: 'warning' }), alert(3, { acked_at: 5 }), alert(4)].sort(alertOrder);
    expect(list.map((a) => a.id)).toEqual([4, 1, 2, 3]);
  });

  it('follows raised, acked and cleared changes, bounded on both lists', () => {
    const board = new AlertBoard(3, 2);
    board.reset([alert(1), alert(2)]);
    board.apply({ change: 'raised', alert: alert(3) });
    board.apply({ change: 'raised', alert: alert(4) }); // over the bound: the oldest (1) goes
    expect(board.active().map((a) => a.id)).toEqual([4, 3, 2]);
    board.apply({ change: 'acked', alert: alert(3, { acked_at: 9, acked_by: 'olivia' }) });
    expect(board.active().map((a) => a.id)).toEqual([4, 2, 3]);
    for (const id of [2, 3, 4]) board.apply({ change: 'cleared', alert: alert(id, { cleared_at: 10 + id }) });
    expect(board.active()).toEqual([]);
    expect(board.recentlyCleared().map((a) => a.id)).toEqual([4, 3]);
  });
});
