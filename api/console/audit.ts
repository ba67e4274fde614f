import { auditedWrite } from '../admin/app';
import type { AdminAuditTarget } from '../admin/route';
import type { ConsoleDeps } from './deps';
import type { ConsoleContext } from './session';

/** Runs a console write and records it in the admin audit trail as the admin API records its writes (`console <action>`). */
export function auditConsoleWrite<T>(
  deps: Pick<ConsoleDeps, 'adminAudit' | 'logger'>,
  ctx: ConsoleContext,
  action: string,
  target: AdminAuditTarget,
  write: () => Promise<T>,
): Promise<T> {
  const actor = { id: ctx.state.viewer.adminId, role: ctx.state.viewer.role };
  return auditedWrite({ audit: deps.adminAudit, logger: deps.logger, actor, action: `console ${action}`, target: () => target, status: () => 200 }, write);
}
