import { describe, expect, it } from 'vitest';
import { parseBrokerBenchArgs } from '../../bench/broker-args.js';
import { median } from '../../bench/stats.js';

describe('bench:broker arguments and medians', () => {
  it('defaults to every broker, rooms of 10 and 100 and 10k deliveries/s at the fixed rate', () => {
    const options = parseBrokerBenchArgs([]);
    expect(options.brokers).toEqual(['platform', 'aedes', 'mosquitto']);
    expect([options.smallRoomMembers, options.largeRoomMembers]).toEqual([10, 100]);
    expect(options.fixedEventsPerSecond * options.smallRoomMembers).toBe(10_000);
  });

  it('refuses an unknown broker and a fixed rate above the platform typing limit, naming the flag', () => {
    expect(() => parseBrokerBenchArgs(['--only', 'platform,emqx'])).toThrow(/--only/);
    expect(() => parseBrokerBenchArgs(['--rate', '1001'])).toThrow(/--rate/);
  });

  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
