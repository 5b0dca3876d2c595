import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal, type ITheme } from '@xterm/xterm';
import { adoptXtermStyles } from './styles.ts';

/**
 * The terminal is dark in both site themes. The palette is readable on its background
 * (#0f1117) at 4.5:1 or more, and minimumContrastRatio holds any colour a program picks to
 * that too (WCAG AA), so axe passes whatever the shell prints.
 */
export const THEME: ITheme = {
  background: '#0f1117',
  foreground: '#e6e8ef',
  cursor: '#e6e8ef',
  cursorAccent: '#0f1117',
  selectionBackground: '#3d4a78',
  selectionForeground: '#ffffff',
  black: '#5c6370',
  red: '#f27380',
  green: '#3ecf8e',
  yellow: '#f5b94a',
  blue: '#7aa2f7',
  magenta: '#c49bff',
  cyan: '#56c8d8',
  white: '#d4d8e3',
  brightBlack: '#8b93a7',
  brightRed: '#ff8f9a',
  brightGreen: '#6ee7a8',
  brightYellow: '#ffd27a',
  brightBlue: '#a5c0ff',
  brightMagenta: '#dcbcff',
  brightCyan: '#8ae3ee',
  brightWhite: '#ffffff',
};

export interface ScreenEvents {
  /** Keys typed and text pasted, for the shell. */
  input(data: string): void;
  /** The screen took a new size (it follows the panel's). */
  resize(cols: number, rows: number): void;
}

const only = (e: KeyboardEvent, mods: { ctrl?: boolean; shift?: boolean }) =>
  e.ctrlKey === !!mods.ctrl && e.shiftKey === !!mods.shift && !e.altKey && !e.metaKey;

/** Copies through the async clipboard where the browser has one (https or localhost). */
function copy(text: string): void {
  if (text) void navigator.clipboard?.writeText(text).catch(() => undefined);
}

/**
 * One xterm.js screen in its own element of `container`, sized to it. Its DOM is xterm's, so
 * it lives outside Svelte's state; the panel shows one at a time (the others stay laid out,
 * invisible, so they are always fitted to the current size).
 */
export class Screen {
  readonly host: HTMLDivElement;
  readonly term: Terminal;
  /** The session it shows, once the server named it. */
  sessionId: string | undefined;
  private readonly fitter = new FitAddon();
  private readonly unstyle: () => void;
  /** Counts resets: the write callbacks of output drawn before a reattach acknowledge nothing. */
  private epoch = 0;

  constructor(container: HTMLElement, events: ScreenEvents) {
    this.host = document.createElement('div');
    this.host.className = 'screen';
    this.host.hidden = true;
    container.append(this.host);
    this.term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: THEME,
      minimumContrastRatio: 4.5,
    });
    this.term.loadAddon(this.fitter);
    this.term.loadAddon(new WebLinksAddon());
    this.unstyle = adoptXtermStyles(this.host);
    this.term.open(this.host);
    this.term.onData((data) => events.input(data));
    this.term.onResize(({ cols, rows }) => events.resize(cols, rows));

    // Selecting copies (once the mouse lets go, not at every move of a drag).
    this.host.addEventListener('pointerup', () => this.term.hasSelection() && copy(this.term.getSelection()), true);
    this.term.attachCustomKeyEventHandler((e) => {
      // Ctrl+Shift+C copies; Ctrl+C stays the shell's interrupt.
      if (only(e, { ctrl: true, shift: true }) && e.code === 'KeyC') {
        if (e.type === 'keydown') {
          e.preventDefault();
          copy(this.term.getSelection());
        }
        return false;
      }
      // Ctrl+Shift+V: xterm leaves it alone, the browser pastes, xterm takes the paste event.
      if (only(e, { ctrl: true, shift: true }) && e.code === 'KeyV') return false;
      // Tab completes in the shell; Shift+Tab leaves the terminal (no keyboard trap).
      if (only(e, { shift: true }) && e.key === 'Tab') return false;
      return true;
    });
    this.fit();
  }

  /** Draws output; `ack(chars)` once it is on the screen (the server's flow control). */
  write(data: string, ack: (chars: number) => void): void {
    const epoch = this.epoch;
    this.term.write(data, () => epoch === this.epoch && ack(data.length));
  }

  /** A blank screen, before the kept output replays into it. */
  reset(): void {
    this.epoch++;
    this.term.reset();
  }

  /** Fits the terminal to its element (a resize event follows when the size changed). */
  fit(): void {
    const size = this.fitter.proposeDimensions();
    if (size && size.cols >= 2 && size.rows >= 1 && Number.isFinite(size.cols) && Number.isFinite(size.rows)) this.fitter.fit();
  }

  get size(): { cols: number; rows: number } {
    return { cols: Math.max(2, this.term.cols), rows: Math.max(1, this.term.rows) };
  }

  show(visible: boolean): void {
    this.host.hidden = !visible;
  }

  /** A shell that has ended takes no more keys. */
  set ended(ended: boolean) {
    this.term.options.disableStdin = ended;
    this.term.options.cursorBlink = !ended;
  }

  focus(): void {
    this.term.focus();
  }

  dispose(): void {
    this.term.dispose();
    this.unstyle();
    this.host.remove();
  }
}
