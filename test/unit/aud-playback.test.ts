import { describe, expect, it } from 'vitest';
import { Playback, REPLAY_SPEEDS, ReplayFeed, siteWallClock, windowFor, type ReplaySpeed } from '../../web/src/views/audit-playback.js';

const FROM = Date.UTC(2024, 10, 1, 5);
const HOUR = 3_600_000;
const TO = FROM + 48 * HOUR;

/** A wall clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** One point a minute over the range, 1000 kW + the minute's index. */
const POINTS = Array.from({ length: 48 * 60 }, (_, i) => ({ x: FROM + i * 60_000, y: 1000 + i }));

describe('replay scheduling with an injected clock', () => {
  for (const speed of REPLAY_SPEEDS) {
    it(`advances the cursor at ${speed}×, and shows exactly the points due`, () => {
      const clock = manualClock();
      const playback = new Playback(FROM, TO, clock, speed);
      const feed = new ReplayFeed(POINTS, windowFor(speed, 60_000));
      playback.play();
      feed.showUntil(playback.cursor());
      expect(feed.count).toBe(1);
      // Frames of 16, 17 and 17 ms: the cursor follows wall time, not the number of frames.
      for (const dt of [16, 17, 17]) {
        clock.advance(dt);
        feed.showUntil(playback.cursor());
      }
      expect(playback.cursor()).toBe(FROM + 50 * speed);
      clock.advance(950);
      expect(playback.cursor()).toBe(FROM + 1000 * speed);
      feed.showUntil(playback.cursor());
      // Points at FROM + k minutes for every k with k · 60 000 ≤ 1000 · speed.
      expect(feed.count).toBe(Math.floor((1000 * speed) / 60_000) + 1);
      expect(feed.lastX()).toBe(FROM + Math.floor((1000 * speed) / 60_000) * 60_000);
    });
  }

  it('holds the cursor while paused and goes on from there', () => {
    const clock = manualClock();
    const playback = new Playback(FROM, TO, clock, 600);
    playback.play();
    clock.advance(2000);
    playback.pause();
    expect(playback.state).toBe('paused');
    clock.advance(60_000);
    expect(playback.cursor()).toBe(FROM + 1_200_000);
    playback.play();
    clock.advance(500);
    expect(playback.cursor()).toBe(FROM + 1_500_000);
  });

  it('changes speed without a jump', () => {
    const clock = manualClock();
    const playback = new Playback(FROM, TO, clock, 10);
    playback.play();
    clock.advance(1000);
    playback.setSpeed(3600);
    expect(playback.cursor()).toBe(FROM + 10_000);
    clock.advance(1000);
    expect(playback.cursor()).toBe(FROM + 10_000 + HOUR);
  });

  it('seeks within the range, playing or not', () => {
    const clock = manualClock();
    const playback = new Playback(FROM, TO, clock, 60);
    playback.seek(FROM + 5 * HOUR);
    expect(playback.cursor()).toBe(FROM + 5 * HOUR);
    playback.play();
    clock.advance(1000);
    playback.seek(FROM + 7 * HOUR);
    clock.advance(1000);
    expect(playback.cursor()).toBe(FROM + 7 * HOUR + 60_000);
    playback.seek(FROM - HOUR);
    expect(playback.cursor()).toBe(FROM);
  });

  it('ends at the end of the range, and plays from the start again', () => {
    const clock = manualClock();
    const playback = new Playback(FROM, TO, clock, 3600);
    playback.play();
    clock.advance(48_000);
    expect(playback.cursor()).toBe(TO);
    expect(playback.state).toBe('ended');
    clock.advance(10_000);
    expect(playback.cursor()).toBe(TO);
    playback.play();
    expect(playback.cursor()).toBe(FROM);
    expect(playback.state).toBe('playing');
  });
});

describe('the replay feed', () => {
  it('widens the chart window with the speed', () => {
    const windows = REPLAY_SPEEDS.map((s: ReplaySpeed) => windowFor(s, 30_000) / 60_000);
    expect(windows).toEqual([15, 15, 15, 150, 900]);
    expect(windowFor(1, HOUR)).toBe(20 * HOUR);
  });

  it('hands the chart only the window before the last point shown', () => {
    const feed = new ReplayFeed(POINTS, 15 * 60_000);
    let changes = 0;
    feed.onChange(() => changes++);
    expect(feed.showUntil(FROM + 2 * HOUR + 30_000)).toBe(true);
    expect(feed.showUntil(FROM + 2 * HOUR + 59_000)).toBe(false);
    expect(changes).toBe(1);
    const shown = feed.snapshot([]);
    expect(shown).toHaveLength(16);
    expect(shown[0]).toEqual({ x: FROM + 105 * 60_000, y: 1105 });
    expect(shown.at(-1)).toEqual({ x: FROM + 120 * 60_000, y: 1120 });
    expect(feed.at(FROM + 2 * HOUR + 59_000)).toEqual({ x: FROM + 2 * HOUR, y: 1120 });
    // Seeking back shows less.
    feed.showUntil(FROM + 30 * 60_000);
    expect(feed.count).toBe(31);
    expect(feed.snapshot([])).toHaveLength(16);
  });

  it('draws the points on the site\'s clock, and keeps the cursor in real time', () => {
    // The test runs with the browser-like zone of the process; the map undoes it, whatever it is.
    const chicago = siteWallClock(() => -5 * HOUR);
    const x = FROM + 90 * 60_000;
    const drawn = chicago(x);
    const d = new Date(drawn);
    expect([d.getHours(), d.getMinutes()]).toEqual([new Date(x - 5 * HOUR).getUTCHours(), new Date(x).getUTCMinutes()]);
    const feed = new ReplayFeed(POINTS, 15 * 60_000, chicago);
    feed.showUntil(x);
    expect(feed.lastX()).toBe(drawn);
    expect(feed.snapshot([]).at(-1)).toEqual({ x: drawn, y: 1090 });
    expect(feed.at(x)).toEqual({ x, y: 1090 });
  });
});
