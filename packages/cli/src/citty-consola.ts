// Stands in for consola inside the bundled citty (see tsup.config.ts). The CLI calls citty's
// `runCommand` only, and prints help and errors itself; consola would cost start-up time on every
// command (it inspects the terminal and builds its reporters at import) without printing anything.
const print =
  (stream: 'stdout' | 'stderr') =>
  (...parts: unknown[]): void => {
    process[stream].write(`${parts.map(String).join(' ')}\n`);
  };

/** The part of consola's API citty calls. @internal */
export const consola = { log: print('stdout'), error: print('stderr') };
export default consola;

/** consola/utils' colors, uncoloured. @internal */
export const colors: Record<string, (text: string) => string> = new Proxy(
  {},
  { get: () => (text: string) => text },
);
