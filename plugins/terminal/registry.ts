import type { Hosts, PluginAudit } from '../../core/index.ts';
import type { TerminalConfig } from './config.ts';
import { terminalErrors } from './errors.ts';
import { Recording } from './recording.ts';
import { TerminalSession, type Page, type SessionInfo } from './session.ts';

export interface Size {
  cols: number;
  rows: number;
}

/**
 * Every terminal session of this Aura, by id. A session belongs to the user who opened it on
 * one server: nobody else sees it, even another admin. It ends when its shell exits, when it
 * is closed, or `detachMinutes` after its last page went away.
 */
export class TerminalSessions {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly opening = new Map<string, number>();
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  /** Sessions ended on purpose (close, expiry, shutdown): their end is not audited as an exit. */
  private readonly ending = new Set<string>();

  constructor(
    private readonly deps: {
      config: TerminalConfig;
      hosts: Hosts;
      audit: PluginAudit;
      dataDir: string;
      signal: AbortSignal;
    },
  ) {}

  async open(user: string, serverId: string, size: Size, page: (sessionId: string) => Page): Promise<TerminalSession> {
    if (this.deps.signal.aborted) throw terminalErrors.SHUTTING_DOWN('Aura is stopping.');
    const { maxSessionsPerUser } = this.deps.config;
    const mine = [...this.sessions.values()].filter((s) => s.owner === user).length + (this.opening.get(user) ?? 0);
    if (mine >= maxSessionsPerUser)
      throw terminalErrors.TOO_MANY_TERMINALS(
        `You have ${mine} terminals open (at most ${maxSessionsPerUser}): close one, or end a detached one.`,
      );
    this.opening.set(user, (this.opening.get(user) ?? 0) + 1);
    let pty;
    try {
      pty = await this.deps.hosts.get(serverId).pty(size);
    } catch (err) {
      throw terminalErrors.TERMINAL_FAILED(`The shell could not start: ${(err as Error).message}`);
    } finally {
      this.opening.set(user, this.opening.get(user)! - 1);
    }
    const session = new TerminalSession(user, serverId, pty, size.cols, size.rows, {
      scrollbackChars: this.deps.config.scrollbackKb * 1024,
      onExit: (exitCode) => this.ended(session, exitCode),
    });
    if (this.deps.signal.aborted) {
      session.kill();
      throw terminalErrors.SHUTTING_DOWN('Aura is stopping.');
    }
    this.sessions.set(session.id, session);
    if (this.deps.config.record)
      session.record(
        new Recording(this.deps.dataDir, session.id, { ...size, title: `${user} on ${serverId}` }, (behind) =>
          session.diskBehind(behind),
        ),
      );
    session.attach(page(session.id), false);
    await this.audit(session, 'open');
    return session;
  }

  /** The caller's session on this server; TERMINAL_NOT_FOUND for anyone else's. */
  find(user: string, serverId: string, sessionId: string): TerminalSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.owner !== user || session.serverId !== serverId)
      throw terminalErrors.TERMINAL_NOT_FOUND(`You have no terminal ${sessionId} on ${serverId}.`);
    return session;
  }

  list(user: string, serverId: string): SessionInfo[] {
    return [...this.sessions.values()]
      .filter((s) => s.owner === user && s.serverId === serverId)
      .map((s) => s.info())
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async attach(session: TerminalSession, page: Page): Promise<void> {
    clearTimeout(this.expiries.get(session.id));
    this.expiries.delete(session.id);
    session.attach(page, true);
    await this.audit(session, 'attach');
  }

  /** A page went away: its sessions run on for detachMinutes. */
  detachPage(pageId: string): void {
    for (const session of this.sessions.values()) if (session.detach(pageId)) this.expireLater(session);
  }

  async close(session: TerminalSession, detail?: string): Promise<void> {
    if (!this.sessions.has(session.id)) return;
    this.ending.add(session.id);
    this.forget(session);
    session.kill();
    await this.audit(session, 'close', detail);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => this.close(s, 'Aura stopped')));
  }

  private expireLater(session: TerminalSession): void {
    const minutes = this.deps.config.detachMinutes;
    const expire = () => void this.close(session, `detached for ${minutes} min`).catch(() => undefined);
    const timer = setTimeout(expire, minutes * 60_000);
    timer.unref();
    this.expiries.set(session.id, timer);
  }

  private ended(session: TerminalSession, exitCode: number): void {
    this.forget(session);
    if (this.ending.delete(session.id)) return;
    void this.audit(session, 'exit', `exit code ${exitCode}`).catch(() => undefined);
  }

  private forget(session: TerminalSession): void {
    this.sessions.delete(session.id);
    clearTimeout(this.expiries.get(session.id));
    this.expiries.delete(session.id);
  }

  private audit(session: TerminalSession, action: string, detail?: string) {
    return this.deps.audit.record({
      user: session.owner,
      action,
      result: 'success',
      server: session.serverId,
      target: session.id,
      ...(detail ? { detail } : {}),
    });
  }
}
