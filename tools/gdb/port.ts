// The --gdb flag's value, apart from server.ts so that checking a command line does not load node:net.

/** Parse a --gdb value: a TCP port 0..65535 (also accepted as `tcp::PORT` or `:PORT`, QEMU's spelling). */
export function parseGdbPort(v: string | undefined): number | string {
  if (v === undefined) return '--gdb needs a TCP port (e.g. --gdb 1234)';
  const m = /^(?:tcp:)?(?::)?(\d{1,5})$/.exec(v);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 0 && n <= 65535)) return `--gdb: '${v}' is not a TCP port (0..65535)`;
  return n;
}
