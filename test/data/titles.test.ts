import { describe, expect, it } from 'vitest';
import { splitTitleYear } from '../../src/data/titles.ts';

describe('splitTitleYear', () => {
  it.each([
    ['Toy Story (1995)', 'Toy Story', 1995],
    ['American President, The (1995)', 'American President, The', 1995],
    [
      'From Dusk Till Dawn 2: Texas Blood Money (1999) ',
      'From Dusk Till Dawn 2: Texas Blood Money',
      1999,
    ],
    ['(500) Days of Summer (2009)', '(500) Days of Summer', 2009],
    ['Assembly (Ji jie hao) (2007) ', 'Assembly (Ji jie hao)', 2007],
    ['Death Note: Desu nôto (2006–2007)', 'Death Note: Desu nôto', 2006],
    ['Fawlty Towers (1975-1979)', 'Fawlty Towers', 1975],
    ['Big Bang Theory, The (2007-)', 'Big Bang Theory, The', 2007],
    ['Babylon 5', 'Babylon 5', null],
    ['Land Before Time III (1995) (V)', 'Land Before Time III (1995) (V)', null],
    ['2001 (a space odyssey)', '2001 (a space odyssey)', null],
    ['(1995)', '(1995)', 1995],
  ] as const)(
    'given %j, when splitting, then the title is %j and the year %j',
    (raw, title, year) => {
      expect(splitTitleYear(raw)).toEqual({ title, year });
    },
  );
});
