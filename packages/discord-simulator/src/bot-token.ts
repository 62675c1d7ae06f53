/**
 * The one bot token the simulator accepts, shared by its gateway and REST sides: when the daily identify
 * budget runs out Discord resets the token, after which REST answers 401 and the gateway closes with 4004.
 */
export class BotToken {
  #value: string | undefined;

  constructor(value: string) {
    this.#value = value;
  }

  /** The accepted token, or undefined once revoked. */
  get current(): string | undefined {
    return this.#value;
  }

  revoke(): void {
    this.#value = undefined;
  }
}
