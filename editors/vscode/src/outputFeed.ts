// Keeps one dev server's Output channel exact: the backlog fetched on attach
// (`devwatch/devServer/output` fromSeq) and the live notifications are joined
// by sequence number, so no line is shown twice or lost without saying so.
// Pure (no `vscode`): unit-tested in Node.
import type { OutputLine, OutputNotificationParams, OutputResult } from "./protocol";

export interface FeedStep {
  /** Text lines to append to the channel, in order. */
  append: string[];
  /** Set when lines are missing: fetch the backlog from this seq. */
  refetchFrom?: number;
}

export function formatLine(line: { text: string; cut?: boolean }): string {
  return line.cut ? `${line.text} […line cut]` : line.text;
}

export class OutputFeed {
  /** The next seq this channel expects. */
  nextSeq = 0;
  private syncing = false;
  private pending: OutputNotificationParams[] = [];

  /** A backlog request is in flight: live lines wait until it lands. */
  beginBacklog(): void {
    this.syncing = true;
  }

  applyBacklog(result: OutputResult): FeedStep {
    const append: string[] = [];
    const first = result.lines.find((l) => l.seq >= this.nextSeq);
    const dropped = (first ? first.seq : result.nextSeq) - this.nextSeq;
    if (dropped > 0 && (this.nextSeq > 0 || result.dropped > 0)) {
      append.push(`[devwatch] ${dropped} earlier line(s) are no longer kept and are not shown`);
    }
    for (const line of result.lines) this.take(line, append);
    this.nextSeq = Math.max(this.nextSeq, result.nextSeq);
    this.syncing = false;
    const queued = this.pending;
    this.pending = [];
    let refetchFrom: number | undefined;
    for (const n of queued) {
      const step = this.live(n);
      append.push(...step.append);
      if (step.refetchFrom !== undefined) refetchFrom = step.refetchFrom;
    }
    return { append, refetchFrom };
  }

  live(n: OutputNotificationParams): FeedStep {
    if (this.syncing) {
      this.pending.push(n);
      return { append: [] };
    }
    if (n.seq < this.nextSeq) return { append: [] }; // already shown from the backlog
    if (n.seq > this.nextSeq) {
      // Lines were skipped (the server said so with `skipped`, or we attached late):
      // fetch them from the backlog, which also brings this one.
      this.syncing = true;
      this.pending.push(n);
      return { append: [], refetchFrom: this.nextSeq };
    }
    const append: string[] = [];
    this.take(n, append);
    return { append };
  }

  private take(line: OutputLine, append: string[]): void {
    if (line.seq < this.nextSeq) return;
    append.push(formatLine(line));
    this.nextSeq = line.seq + 1;
  }
}
