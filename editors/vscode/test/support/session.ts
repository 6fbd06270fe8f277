// A devwatch process driven over vscode-jsonrpc, as the extension drives it,
// with every notification recorded so tests can wait for one.
import { ChildProcess, spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import {
  createMessageConnection,
  MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node";

import * as proto from "../../src/protocol";
import { DEADLINE_MS, DEVWATCH_BIN, poll } from "./env";

export interface Recorded {
  method: string;
  params: any;
  at: number;
}

export class Session {
  readonly notifications: Recorded[] = [];
  readonly stderr: string[] = [];
  initializeResult: any;
  private exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess, readonly conn: MessageConnection) {
    this.exited = new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
    proc.stderr!.setEncoding("utf8");
    proc.stderr!.on("data", (d: string) => this.stderr.push(d));
    conn.onNotification((method, params) => this.notifications.push({ method, params, at: Date.now() }));
    conn.onRequest((method) => {
      throw new Error(`unexpected request ${method}`);
    });
  }

  static async start(roots: string[], options: proto.InitializationOptions): Promise<Session> {
    const proc = spawn(DEVWATCH_BIN, ["--stdio"], { cwd: roots[0], stdio: ["pipe", "pipe", "pipe"] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    const s = new Session(proc, conn);
    conn.listen();
    s.initializeResult = await conn.sendRequest("initialize", {
      processId: process.pid,
      clientInfo: { name: "devwatch-vscode-protocol-tests" },
      capabilities: {},
      workspaceFolders: roots.map((r) => ({ uri: pathToFileURL(r).href, name: path.basename(r) })),
      initializationOptions: options,
    });
    await conn.sendNotification("initialized", {});
    return s;
  }

  /** Index of the next notification, to wait for ones that come after a step. */
  mark(): number {
    return this.notifications.length;
  }

  since(mark: number, method?: string): Recorded[] {
    return this.notifications.slice(mark).filter((n) => !method || n.method === method);
  }

  states(mark: number, name = "web"): string[] {
    return this.since(mark, proto.stateChanged.method).filter((n) => n.params.name === name).map((n) => n.params.state);
  }

  async waitFor(what: string, mark: number, method: string, pred: (params: any) => boolean = () => true): Promise<any> {
    return poll(`${what} (stderr: ${this.stderr.join("").slice(-2000)})`, () => this.since(mark, method).find((n) => pred(n.params))?.params, DEADLINE_MS);
  }

  waitState(mark: number, state: proto.ServerState, name = "web"): Promise<proto.StateChangedParams> {
    return this.waitFor(`${name} to become ${state} (seen: ${this.states(mark, name).join(", ")})`, mark, proto.stateChanged.method, (p) => p.name === name && p.state === state);
  }

  async close(): Promise<number | null> {
    try {
      await this.conn.sendRequest("shutdown");
      await this.conn.sendNotification("exit");
    } catch {
      this.proc.kill("SIGTERM");
    }
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([this.exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), DEADLINE_MS)))]);
    clearTimeout(timer);
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    this.conn.dispose();
    return code;
  }
}
