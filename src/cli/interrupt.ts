// Ctrl-C for a long run in workers: the first cancels (the journal keeps the finished units for --resume), a second
// stops every worker at once. `say` tells the user which happened.

export interface TwoStageInterrupt {
  /** Aborted by the first Ctrl-C: the run cancels and keeps what it finished. */
  cancel: AbortController;
  /** Aborted by the second: every worker is killed. */
  kill: AbortController;
  /** The SIGINT listener (the caller adds and removes it on its own signal source). */
  onInterrupt: () => void;
}

export function twoStageInterrupt(say: (line: string) => void): TwoStageInterrupt {
  const cancel = new AbortController();
  const kill = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    say(interrupts === 1 ? 'cancelling… (Ctrl-C again to stop at once)' : 'stopping');
    (interrupts === 1 ? cancel : kill).abort();
  };
  return { cancel, kill, onInterrupt };
}
