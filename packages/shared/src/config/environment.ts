/** The process environment as configuration reads it: names to raw strings, never written. */
export type Environment = Readonly<Record<string, string | undefined>>;
