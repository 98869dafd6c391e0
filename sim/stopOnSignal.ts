/**
 * How each of the simulators' command-line tools stops: on the first Ctrl-C or SIGTERM
 * (a second one while stopping is ignored, not a second stop), `stop` closes what the
 * tool started, `bye` is printed, and the process exits 0.
 */
export function stopOnSignal(stop: () => Promise<unknown>, bye?: string): void {
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    void stop().then(() => {
      if (bye) process.stdout.write(bye);
      process.exit(0);
    });
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
