/** A map from event name to listener signature. */
export type EventMap<Events> = { [Name in keyof Events]: (...args: never[]) => void };

/**
 * A small typed event emitter: `on` returns the function that removes the listener. A listener
 * that throws does not stop the others; the error is rethrown asynchronously (reported, not lost).
 */
export class Emitter<Events extends EventMap<Events>> {
  readonly #listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  on<Name extends keyof Events>(name: Name, listener: Events[Name]): () => void {
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener);
    return () => this.off(name, listener);
  }

  off<Name extends keyof Events>(name: Name, listener: Events[Name]): void {
    this.#listeners.get(name)?.delete(listener);
  }

  /** True when someone listens (an `error` nobody listens to is logged instead). */
  listens(name: keyof Events): boolean {
    return (this.#listeners.get(name)?.size ?? 0) > 0;
  }

  protected emit<Name extends keyof Events>(name: Name, ...args: Parameters<Events[Name]>): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as (...values: Parameters<Events[Name]>) => void)(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
