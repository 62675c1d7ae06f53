/** One problem with one configuration variable. */
export interface ConfigIssue {
  variable: string;
  problem: string;
}

/**
 * Thrown when the environment does not describe a runnable process. It carries every bad variable at
 * once, so an operator fixes the whole deployment in one pass instead of one restart per variable.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(processName: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.variable}: ${issue.problem}`);
    super(
      `Invalid configuration for ${processName} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}\nSee .env.example for every variable and its meaning.`,
    );
    this.issues = issues;
  }
}
