// The engine version recorded in the handshake (the results document records its own).
import pkg from '../../package.json';

export function packageVersion(): string {
  return (pkg as { version: string }).version;
}
