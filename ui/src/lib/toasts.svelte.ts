export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

let next = 1;
/** Visible messages, newest last; each disappears after a while or when dismissed. */
export const toasts = $state<Toast[]>([]);

export function dismiss(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

export function notify(text: string, kind: Toast['kind'] = 'info', ms = 8000): void {
  const id = next++;
  toasts.push({ id, kind, text });
  setTimeout(() => dismiss(id), ms);
}
