/** User ids read from a list a moderator typed or attached, with what could not be read. */
export interface UserIdList {
  /** Each id once, in the order first given. */
  ids: string[];
  /** Entries that repeated an id already listed. */
  duplicates: number;
  /** Entries that are not user ids, with their line (1-based), in order. */
  invalid: { entry: string; line: number }[];
}

/** Between entries: white space, commas and semicolons (a CSV's cells, a pasted column, a typed line). */
const separators = /[\s,;]+/;
/** A bare id, a mention (`<@id>`, `<@!id>`) or a quoted CSV cell (`"id"`). */
const entryForms = /^(?:<@!?(\d+)>|"(\d+)"|(\d+))$/;
const maxSnowflake = (1n << 64n) - 1n;

/** Whether `digits` can be a Discord id: 17 to 20 digits (from 2015 on) within 64 bits. */
export function isSnowflake(digits: string): boolean {
  return /^\d{17,20}$/.test(digits) && BigInt(digits) <= maxSnowflake;
}

/**
 * Reads a list of user ids, one entry per id, separated by white space, commas, semicolons or new lines.
 * Each entry must be an id, a mention or a quoted id; anything else is reported (not skipped), because a
 * ban list with a stray word in it is more likely a wrong file than a right one.
 */
export function parseUserIdList(text: string): UserIdList {
  const ids = new Set<string>();
  const invalid: UserIdList['invalid'] = [];
  let duplicates = 0;
  text.split(/\r\n|\r|\n/).forEach((lineText, index) => {
    for (const entry of lineText.split(separators)) {
      if (entry === '') continue;
      const match = entryForms.exec(entry);
      const id = match?.[1] ?? match?.[2] ?? match?.[3];
      if (id === undefined || !isSnowflake(id)) invalid.push({ entry, line: index + 1 });
      else if (ids.has(id)) duplicates += 1;
      else ids.add(id);
    }
  });
  return { ids: [...ids], duplicates, invalid };
}

/** Several lists as one: each id once (in order), repeats within and across the lists counted. */
export function combineUserIdLists(lists: readonly UserIdList[]): Omit<UserIdList, 'invalid'> {
  const ids = new Set(lists.flatMap((list) => list.ids));
  const listed = lists.reduce((sum, list) => sum + list.ids.length + list.duplicates, 0);
  return { ids: [...ids], duplicates: listed - ids.size };
}
