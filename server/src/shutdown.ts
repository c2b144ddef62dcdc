/** SIGTERM/SIGINT: stop taking, flush, acknowledge, close. A second signal exits at once. */
export function installShutdown(stop: () => Promise<void>, log: { info: (msg: string) => void; error: (obj: object, msg: string) => void }): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal}: shutting down`);
    // Bounded: the writer gives up after 10 s (unwritten readings stay in the spool); this is the backstop.
    setTimeout(() => {
      log.error({}, 'shutdown took longer than 20 s; exiting anyway (the spool keeps what was not written)');
      process.exit(1);
    }, 20_000).unref();
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
