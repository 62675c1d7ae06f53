/** A migration could not be read, computed or applied; `cause` holds the engine's or driver's error. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}
