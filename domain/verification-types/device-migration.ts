import type { VerificationEvaluator, VerificationTypeDescription } from './evaluator';

/**
 * Device migration (engagement flow 5; profile §Device migration): the Wallet Server names the
 * holder's previous sessionId (item field `previousSessionId`, from the Wallet Server only). The
 * relationship holds when that session belongs to the same Wallet Server, was APPROVED for every
 * configuration now requested, and still has a free device slot (authorizedDeviceCount − 1
 * migrations). Then the new instance is approved without re-proofing.
 */
export const deviceMigrationType = 'urn:s2s-issuer:verification-type:device-migration';

export const deviceMigrationDescription: VerificationTypeDescription = {
  type: deviceMigrationType,
  description: 'Migration from a previous, approved session of the same Wallet Server (within authorizedDeviceCount)',
};

export interface MigrationCheck {
  /** The previous session's approval, if it is this tenant's and APPROVED. */
  approvedSession(tenantId: string, previousSessionId: string): Promise<{ credentialConfigurationIds: string[]; authorizedDeviceCount: number } | null>;
  claimDeviceSlot(tenantId: string, previousSessionId: string, newSessionId: string, slots: number): Promise<boolean>;
}

export function createDeviceMigrationEvaluator(check: MigrationCheck): VerificationEvaluator {
  return {
    ...deviceMigrationDescription,
    async evaluate(item, context) {
      if (context.origin !== 'WALLET_SERVER') return { verdict: 'rejected', reasonCode: 'MIGRATION_NOT_FROM_SERVER' };
      const previous = typeof item.previousSessionId === 'string' ? item.previousSessionId : undefined;
      if (!previous || previous === context.sessionId) return { verdict: 'rejected', reasonCode: 'MIGRATION_MALFORMED' };
      const approval = await check.approvedSession(context.tenantId, previous);
      if (!approval) return { verdict: 'rejected', reasonCode: 'MIGRATION_SOURCE_NOT_APPROVED' };
      if (!context.credentialConfigurationIds.every((id) => approval.credentialConfigurationIds.includes(id))) {
        return { verdict: 'rejected', reasonCode: 'MIGRATION_BEYOND_APPROVAL' };
      }
      const slot = await check.claimDeviceSlot(context.tenantId, previous, context.sessionId, approval.authorizedDeviceCount - 1);
      return slot ? { verdict: 'satisfied' } : { verdict: 'rejected', reasonCode: 'DEVICE_LIMIT_REACHED' };
    },
  };
}
