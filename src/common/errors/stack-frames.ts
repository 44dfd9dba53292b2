import { sep } from 'node:path';

export interface StackFrame {
  filename: string;
  function: string;
  lineno?: number;
  colno?: number;
  in_app: boolean;
}

/** Sentry's SDKs keep at most this many frames too. */
const MAX_FRAMES = 50;
// "    at fn (file:line:col)", "    at fn (native)", "    at async fn (file:line:col)"
const WITH_FUNCTION = /^\s*at (?:async )?(.+?) \((.+?)(?::(\d+):(\d+))?\)$/;
// "    at file:line:col" (anonymous function)
const BARE = /^\s*at (?:async )?(.+?):(\d+):(\d+)$/;

/**
 * The frames of a V8 `error.stack`, oldest call first (Sentry's order). Lines before the first
 * "at" line are the message (which may span lines) and are skipped. Paths inside `root` are made
 * relative to it, so the server's directory layout stays out of reports.
 */
export function parseStack(stack: string | undefined, root?: string): StackFrame[] {
  if (!stack) return [];
  const frames: StackFrame[] = [];
  for (const line of stack.split('\n')) {
    if (!/^\s*at /.test(line)) continue;
    const m = WITH_FUNCTION.exec(line);
    const b = m ? null : BARE.exec(line);
    if (!m && !b) continue;
    const [fn, file, lineno, colno] = m ? [m[1], m[2], m[3], m[4]] : ['?', b![1], b![2], b![3]];
    frames.push(frame(fn, file, lineno, colno, root));
    if (frames.length === MAX_FRAMES) break;
  }
  return frames.reverse();
}

function frame(fn: string, rawFile: string, lineno: string | undefined, colno: string | undefined, root?: string): StackFrame {
  let filename = rawFile.startsWith('file://') ? decodeURIComponent(rawFile.slice('file://'.length)) : rawFile;
  if (root && filename.startsWith(root + sep)) filename = filename.slice(root.length + 1);
  const library = /(^|[/\\])node_modules[/\\]/.test(filename) || filename.startsWith('node:') || filename.startsWith('internal/');
  return {
    filename,
    function: fn === '<anonymous>' ? '?' : fn,
    ...(lineno ? { lineno: Number(lineno), colno: Number(colno) } : {}),
    // frames without a position are native code (`native`, `<anonymous>`, `index 0`)
    in_app: !library && lineno !== undefined,
  };
}
