/**
 * One piece of work at a time, in the order asked: the card and board writers' polls and
 * deleted-message events touch the same rows. A failed piece does not stop the queue.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
