/** What a delayed job's payload may hold: it is stored as JSON in PostgreSQL. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
