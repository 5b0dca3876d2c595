/**
 * xterm.js colours its text through <style> elements it writes at run time, which Aura's
 * Content-Security-Policy refuses (style elements are self-only). The same rules, adopted as a
 * constructed stylesheet, are CSSOM, which the policy does not govern: each <style> xterm puts
 * under `host` is mirrored into one, and kept in step as xterm rewrites it.
 */
export function adoptXtermStyles(host: HTMLElement): () => void {
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = () => {
    for (const style of host.querySelectorAll('style')) {
      let sheet = sheets.get(style);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheets.set(style, sheet);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
      sheet.replaceSync(style.textContent ?? '');
    }
  };
  const isStyle = (node: Node) => node.nodeName === 'STYLE';
  // Rows change all the time; only mutations of (or adding) a style element matter.
  const watcher = new MutationObserver((records) => {
    if (records.some((r) => isStyle(r.target) || [...r.addedNodes].some(isStyle))) sync();
  });
  watcher.observe(host, { subtree: true, childList: true });
  sync();
  return () => {
    watcher.disconnect();
    const gone = new Set(sheets.values());
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => !gone.has(s));
  };
}
