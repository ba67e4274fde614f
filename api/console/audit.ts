import type { AdminAuditTarget } from '../admin/route';
import { toProblem } from '../middleware/problem-details';
import type { ConsoleDeps } from './deps';
import type { ConsoleContext } from './session';

/**
 * Runs a console write and records it in the admin audit trail like an admin API write (who,
 * what, the outcome, identifiers only), refused or not.
 */
export async function auditConsoleWrite<T>(
  deps: Pick<ConsoleDeps, 'adminAudit'>,
  ctx: ConsoleContext,
  action: string,
  target: AdminAuditTarget,
  write: () => Promise<T>,
): Promise<T> {
  const record = (status: number) =>
    deps.adminAudit.record({ actorId: ctx.state.viewer.adminId, actorRole: ctx.state.viewer.role, action: `console ${action}`, status, target });
  try {
    const result = await write();
    await record(200);
    return result;
  } catch (error) {
    await record(toProblem(error).status);
    throw error;
  }
}
