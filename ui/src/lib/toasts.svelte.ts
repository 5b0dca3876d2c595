export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** How many times this very message was sent while it showed: one toast says "×3". */
  count: number;
}

let next = 1;
/** Each info toast's fade-out; not state, nothing renders it. */
const timers: Record<number, ReturnType<typeof setTimeout>> = {};

/**
 * Feedback on actions, newest last. Info fades after a while; an error stays until dismissed,
 * so nobody misses why their action failed. The same message again counts up, not piles up.
 */
export const toasts = $state<Toast[]>([]);

export function dismiss(id: number): void {
  clearTimeout(timers[id]);
  delete timers[id];
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

export function notify(text: string, kind: Toast['kind'] = 'info', ms = 8000): void {
  const same = toasts.find((t) => t.text === text && t.kind === kind);
  const id = same?.id ?? next++;
  if (same) same.count++;
  else toasts.push({ id, kind, text, count: 1 });
  clearTimeout(timers[id]);
  if (kind === 'info') timers[id] = setTimeout(() => dismiss(id), ms);
}
