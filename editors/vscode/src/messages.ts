// How devwatch's window/showMessage is shown. Crashes never come this way (the
// extension sets `crashMessages: false` and renders them from stateChanged), so
// no message text is parsed: the buttons come from structured facts only.
// Pure (no `vscode`): unit-tested in Node.
import type { DevwatchCapabilities } from "./protocol";

/** LSP MessageType: 1 error, 2 warning, 3 info, 4 log. */
export type MessageType = 1 | 2 | 3 | 4;

/**
 * Whether a message gets a "Manage Workspace Trust" button: the workspace is
 * not trusted and devwatch confirms it runs untrusted (its capabilities'
 * `devServers.trusted`), and the message is a warning or an error — what
 * devwatch sends when it did not start a workspace's servers.
 */
export function offerTrust(type: number, workspaceTrusted: boolean, caps: DevwatchCapabilities | undefined): boolean {
  return !workspaceTrusted && caps?.devServers?.trusted === false && (type === 1 || type === 2);
}
