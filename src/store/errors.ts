/** Every error the store layer throws, and the union of their codes for `src/graphql/errors.ts`. */
export { InvalidRatingEventError } from './invalid-rating-event-error.ts';
export { JournalClosedError } from './journal-closed-error.ts';
export { JournalCorruptError } from './journal-corrupt-error.ts';
export { JournalWriteError } from './journal-write-error.ts';

export type StoreErrorCode =
  | 'INVALID_RATING_EVENT'
  | 'JOURNAL_CLOSED'
  | 'JOURNAL_CORRUPT'
  | 'JOURNAL_WRITE_FAILED';
