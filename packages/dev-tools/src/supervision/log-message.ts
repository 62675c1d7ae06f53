/** Matches a JSON log line by its `msg`. */
export function logMessageIs(message: string) {
  return (line: string) => {
    try {
      return (JSON.parse(line) as { msg?: string }).msg === message;
    } catch {
      return false;
    }
  };
}
