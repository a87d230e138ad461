/**
 * Work that goes on after its request was answered (a queued mail, a reset link), kept so
 * that shutdown and tests can wait until it is done.
 */
export class PendingWork {
  private readonly running = new Set<Promise<void>>();

  get size(): number {
    return this.running.size;
  }

  add(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** Resolves once nothing is running, including work added while waiting. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
