// The one status bar item, redrawn from the model's last state alone.
import * as vscode from "vscode";

import { ServerModel } from "./model";
import { statusView } from "./status";

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  constructor(private readonly model: ServerModel) {
    this.item = vscode.window.createStatusBarItem("devwatch.status", vscode.StatusBarAlignment.Left, 10);
    this.item.name = "devwatch";
    this.item.command = "devwatch.menu";
    this.subscription = model.onDidChange(() => this.draw());
    this.draw();
    this.item.show();
  }

  private draw(): void {
    const v = statusView(this.model.phase, this.model.list(), this.model.trusted);
    this.item.text = v.text;
    const tooltip = new vscode.MarkdownString(v.tooltip, true);
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: v.ariaLabel };
    this.item.backgroundColor =
      v.severity === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground")
      : v.severity === "warning" ? new vscode.ThemeColor("statusBarItem.warningBackground")
      : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
