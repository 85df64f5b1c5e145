// Tests that mount a small tmpfs (a full disk, a read-only one) need root with CAP_SYS_ADMIN: a chmod cannot stop
// root and cannot fill a disk. Elsewhere they skip and say why; with CT_ROOT_TESTS=1 (.ci/run, which runs them as
// root) a refused mount fails them instead, so CI cannot pass by skipping.
import type { Context } from 'mocha';

export function skipUnlessMounted(ctx: Context, mounted: boolean, what: string): void {
  if (mounted) return;
  const uid = process.getuid?.();
  const reason = `${what} needs root to mount a tmpfs (CAP_SYS_ADMIN): ${uid === 0 ? 'this root may not mount here' : `running as uid ${uid ?? '?'}`}`;
  if (process.env.CT_ROOT_TESTS === '1') throw new Error(`${reason}; CT_ROOT_TESTS=1 requires these tests to run (run them as root)`);
  console.log(`      (skipped: ${reason})`);
  ctx.skip();
}
