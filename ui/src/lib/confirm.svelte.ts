export interface ConfirmRequest {
  /** The question, naming the thing: "Restart web.service on Web server?" */
  title: string;
  /** The consequence, in a sentence. */
  body: string;
  /** The button's words: "Restart". */
  confirm: string;
  danger?: boolean;
}

/** The question the shell's one ConfirmDialog shows, and how to answer it. */
export const pending = $state<{ request: ConfirmRequest | null; answer: (ok: boolean) => void }>({
  request: null,
  answer: () => undefined,
});

/**
 * Asks before an action that changes something, in a styled dialog (not window.confirm):
 * resolves true when confirmed, false when cancelled or dismissed with Escape.
 */
export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  pending.answer(false);
  return new Promise((resolve) => {
    pending.request = request;
    pending.answer = (ok) => {
      pending.request = null;
      pending.answer = () => undefined;
      resolve(ok);
    };
  });
}
