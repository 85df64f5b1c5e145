// Workspace Trust: in an untrusted workspace hypothesis files are still checked (without running the model),
// but nothing executes. A status bar item says so all the time; a refused action says why and how to change it.
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE = 'This workspace is not trusted: Circuit Thermometer checks hypothesis files but does not run models.';

export class Trust implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('circuitThermometer.trust', vscode.StatusBarAlignment.Left, 49);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires once, when the user grants trust (it is never revoked without a reload). */
  readonly onDidGrant = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.item.name = 'Circuit Thermometer trust';
    this.item.text = '$(shield) Circuit Thermometer: restricted';
    this.item.tooltip = `${UNTRUSTED_MESSAGE} Click to manage Workspace Trust.`;
    this.item.command = 'workbench.trust.manage';
    this.subscription = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.item.hide();
      this.changed.fire();
    });
    if (!this.trusted()) this.item.show();
  }

  trusted(): boolean {
    return vscode.workspace.isTrusted;
  }

  /** True when trusted; otherwise says why `action` cannot happen, offers the trust editor, and returns false. */
  requireTrust(action: string): boolean {
    if (this.trusted()) return true;
    void vscode.window.showWarningMessage(`Cannot ${action}: ${UNTRUSTED_MESSAGE}`, 'Manage Workspace Trust').then((b) => {
      if (b) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
    this.changed.dispose();
  }
}
