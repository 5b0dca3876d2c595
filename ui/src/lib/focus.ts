/**
 * After a client-side navigation, focus the new page's h1 (made focusable with tabindex=-1),
 * so keyboard and screen-reader users start at the page, not at the top of the shell. A lazily
 * loaded panel draws its h1 a moment later: until then `main` holds focus, and the h1 takes it
 * when it appears, unless the user has moved on. Returns the stop.
 */
export function focusHeading(main: HTMLElement): () => void {
  const focus = (h1: HTMLElement) => {
    if (!h1.hasAttribute('tabindex')) h1.tabIndex = -1;
    h1.focus({ preventScroll: true });
  };
  const found = main.querySelector<HTMLElement>('h1');
  if (found) {
    focus(found);
    return () => undefined;
  }
  main.focus({ preventScroll: true });
  const observer = new MutationObserver(() => {
    const h1 = main.querySelector<HTMLElement>('h1');
    if (!h1) return;
    stop();
    if (document.activeElement === main || document.activeElement === document.body) focus(h1);
  });
  const timer = setTimeout(() => observer.disconnect(), 10_000);
  const stop = () => {
    observer.disconnect();
    clearTimeout(timer);
  };
  observer.observe(main, { childList: true, subtree: true });
  return stop;
}
