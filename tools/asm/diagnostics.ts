// Assembler diagnostics: every problem in the input, with where it is, formatted like GNU as and llvm-mc.

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
}

/** `file:line:col: error: message`; `file: error: message` for what has no line (objects, options). */
export function formatDiagnostic(d: Diagnostic): string {
  if (d.line === 0) return `${d.file}: ${d.severity}: ${d.message}`;
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}
