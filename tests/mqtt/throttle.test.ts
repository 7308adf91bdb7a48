import { describe, expect, it } from 'vitest';
import { TrailingThrottle } from '../../src/mqtt/index.js';
import { FakeTimers } from './fake-timers.js';

describe('TrailingThrottle', () => {
  it('emits at most once per interval per key and always delivers the last value', () => {
    const timers = new FakeTimers();
    const emitted: Array<[string, number, number]> = [];
    const throttle = new TrailingThrottle<number>(1000, (key, value) => emitted.push([key, value, timers.now()]), timers);
    const t0 = timers.now();
    throttle.push('a', 1);
    for (let v = 2; v <= 10; v++) {
      timers.advance(100);
      throttle.push('a', v);
    }
    throttle.push('b', 100);
    timers.advance(5000);
    expect(emitted).toEqual([
      ['a', 1, t0],
      ['b', 100, t0 + 900],
      ['a', 10, t0 + 1000],
    ]);
    const aTimes = emitted.filter(([k]) => k === 'a').map(([, , at]) => at);
    for (let i = 1; i < aTimes.length; i++) expect(aTimes[i]! - aTimes[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it('100 updates per second for 5 s give about 5 messages, the last one final', () => {
    const timers = new FakeTimers();
    const emitted: number[] = [];
    const throttle = new TrailingThrottle<number>(1000, (_k, v) => emitted.push(v), timers);
    for (let i = 1; i <= 500; i++) {
      throttle.push('p', i);
      timers.advance(10);
    }
    timers.advance(2000);
    expect(emitted.length).toBeLessThanOrEqual(6);
    expect(emitted.at(-1)).toBe(500);
  });

  it('stop() drops pending values and timers', () => {
    const timers = new FakeTimers();
    const emitted: number[] = [];
    const throttle = new TrailingThrottle<number>(1000, (_k, v) => emitted.push(v), timers);
    throttle.push('p', 1);
    throttle.push('p', 2);
    throttle.stop();
    timers.advance(5000);
    expect(emitted).toEqual([1]);
    expect(timers.pending).toBe(0);
  });
});
