/** SIGTERM/SIGINT: stop taking, flush, acknowledge, close. A second signal exits at once. */
export function installShutdown(stop: () => Promise<void>, log: { info: (msg: string) => void; error: (obj: object, msg: string) => void }): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info(`${signal}: shutting down`);
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
