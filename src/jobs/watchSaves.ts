/**
 * The watch states a tick decides, saved together: a pass decides thousands, and one
 * transaction for all of them costs a fraction of one each. A save that fails is logged
 * and dropped; those members keep their stored state and are polled at its time.
 */
import type { Store } from "../db/store.js";
import { saveWatchStates, type WatchStateSave } from "../db/watch.js";
import type { Logger } from "../log.js";

export class WatchStateSaves {
  private pending: WatchStateSave[] = [];
  private readonly log: Logger;

  constructor(
    private readonly db: Store,
    log: Logger,
  ) {
    this.log = log.child({ component: "poller" });
  }

  add(save: WatchStateSave): void {
    this.pending.push(save);
  }

  /** Saves what was added since the last flush. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await saveWatchStates(this.db, batch);
    } catch (err) {
      this.log.error({ err, members: batch.length }, "could not save the watch states");
    }
  }
}
