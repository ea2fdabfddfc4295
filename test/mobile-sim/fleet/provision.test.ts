import { describe, expect, it } from 'vitest';
import { assignRooms } from '../../../mobile-sim/fleet/provision.js';
import { createSeededRandom } from '../../../devtools/index.js';

describe('fleet room assignment', () => {
  for (const [phones, rooms, perPhone] of [
    [20, 10, 1],
    [500, 50, 2],
    [7, 3, 3],
  ] as const) {
    it(`puts each of ${phones} phones in ${perPhone} distinct room(s) of ${rooms}, every room with two or more`, () => {
      const members = assignRooms(phones, rooms, perPhone, createSeededRandom(42));
      expect(members).toHaveLength(rooms);
      for (const room of members) expect(room.length).toBeGreaterThanOrEqual(2);
      for (let phone = 0; phone < phones; phone++) {
        const roomsOfPhone = members.filter((room) => room.includes(phone));
        expect(roomsOfPhone).toHaveLength(perPhone);
      }
    });
  }

  it('is reproducible from the seed', () => {
    expect(assignRooms(100, 10, 2, createSeededRandom(7))).toEqual(assignRooms(100, 10, 2, createSeededRandom(7)));
    expect(assignRooms(100, 10, 2, createSeededRandom(7))).not.toEqual(assignRooms(100, 10, 2, createSeededRandom(8)));
  });
});
