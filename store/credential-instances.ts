import { derivedUuid } from '../crypto/derived-uuid';
import { CredentialStatus, type LifecycleState } from '../domain/credential-lifecycle';
import type { Db } from 'mongodb';
import { collections, isDuplicateKeyError } from './mongo';

/**
 * Credential instances (S2S §Identifier Model: "a particular credential Data Set, on a particular
 * Wallet Client Instance") and the devices a verification was provisioned on (S2S §APPROVED
 * Status Fields, authorizedDeviceCount; profile §25).
 *
 * No transactions (FerretDB): every write is an insert or an upsert whose outcome does not
 * depend on order, so a provision retried after a crash at any point ends where one run would.
 */

export interface CredentialInstance {
  /** `<tenantId>/<credentialInstanceId>`: point lookups by _id. */
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  /** The Wallet Client Instance (profile §25, extension walletClientInstanceId). */
  device: string;
  credentialInstanceId: string;
  credentialConfigurationId: string;
  holderAccountId: string;
  createdAt: Date;
  /**
   * Where the instance is in its lifecycle (profile §29), as its CredentialLifecycleWorkflow last
   * projected it; /credential/status answers from it. Written IN_PROCESS at provisioning.
   */
  lifecycle?: ProjectedLifecycle;
}

export interface ProjectedLifecycle {
  status: LifecycleState;
  statusVersion: number;
  changedAt: Date;
  reason: string;
  /** credentialVersion of the last credentials issued ("" before the first). */
  credentialVersion: string;
}

export interface ProvisionRequest {
  tenantId: string;
  sessionId: string;
  verificationId: string;
  device: string;
  holderAccountId: string;
  credentialConfigurationIds: readonly string[];
  authorizedDeviceCount: number;
}

export type ProvisionOutcome = { outcome: 'provisioned'; instances: CredentialInstance[] } | { outcome: 'device_limit' };

/**
 * The instance id of one configuration on one device of one verification. Derived, not drawn: a
 * retried provision computes the ids its first attempt stored, and the SHA-256 over the tenant
 * and the session makes them unique for the issuer (S2S §Identifier Model) without a lookup.
 * UUID-shaped (RFC 9562 version 8), so it reads like the draft's other identifiers.
 */
export function credentialInstanceIdFor(
  key: Omit<ProvisionRequest, 'holderAccountId' | 'credentialConfigurationIds' | 'authorizedDeviceCount'>,
  configurationId: string,
): string {
  return derivedUuid('credential-instance', key.tenantId, key.sessionId, key.verificationId, key.device, configurationId);
}

const instanceDocumentId = (tenantId: string, credentialInstanceId: string) => `${tenantId}/${credentialInstanceId}`;

/** Lifecycle states in which the instance holds credentials and goes on: the Wallet Server's view may drift from them. */
const liveStates = [CredentialStatus.active, CredentialStatus.suspendedIssuer, CredentialStatus.suspendedWallet] as const;

interface DeviceSlot {
  /** `<tenant>/<session>/<verification>@<n>`, n = 1 … authorizedDeviceCount: the insert that creates it claims it. */
  _id: string;
  tenantId: string;
  sessionId: string;
  verificationId: string;
  device: string;
  claimedAt: Date;
}

export function createCredentialInstanceRepository(db: Db) {
  const instances = db.collection<CredentialInstance>(collections.credentialInstances);
  const slots = db.collection<DeviceSlot>(collections.credentialDevices);

  /**
   * Claims a device slot of the verification for `device`, or finds the one it holds. Slot n is
   * an insert of a fixed _id (first one wins), so two devices racing for the last slot cannot
   * both get it, and a device retrying finds its own. Slots are never given back and are taken
   * lowest first (a claimer tries n only once 1…n-1 are taken), so while slot 1 is free no device
   * holds one: the first device's claim is that single insert, without reading the slots.
   */
  async function claimDevice(request: ProvisionRequest): Promise<boolean> {
    const prefix = `${request.tenantId}/${request.sessionId}/${request.verificationId}@`;
    const claim = async (n: number): Promise<boolean> => {
      const _id = `${prefix}${n}`;
      try {
        await slots.insertOne({
          _id,
          tenantId: request.tenantId,
          sessionId: request.sessionId,
          verificationId: request.verificationId,
          device: request.device,
          claimedAt: new Date(),
        });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        return false;
      }
    };
    if (request.authorizedDeviceCount >= 1 && (await claim(1))) return true;
    const held = await slots.find({ tenantId: request.tenantId, sessionId: request.sessionId, verificationId: request.verificationId }).toArray();
    if (held.some((slot) => slot.device === request.device)) return true;
    const taken = new Set(held.map((slot) => slot._id));
    for (let n = 2; n <= request.authorizedDeviceCount; n += 1) {
      if (taken.has(`${prefix}${n}`)) continue;
      if (await claim(n)) return true;
      const winner = await slots.findOne({ _id: `${prefix}${n}` });
      if (winner?.device === request.device) return true;
    }
    return false;
  }

  return {
    /**
     * Creates (or finds) one instance per approved configuration for the device. Repeating it
     * returns the same instances; a device beyond authorizedDeviceCount is refused.
     */
    async provision(request: ProvisionRequest): Promise<ProvisionOutcome> {
      if (!(await claimDevice(request))) return { outcome: 'device_limit' };
      const createdAt = new Date();
      const provisioned = await Promise.all(
        request.credentialConfigurationIds.map(async (credentialConfigurationId): Promise<CredentialInstance> => {
          const credentialInstanceId = credentialInstanceIdFor(request, credentialConfigurationId);
          const _id = instanceDocumentId(request.tenantId, credentialInstanceId);
          const { tenantId, sessionId, verificationId, device, holderAccountId } = request;
          const fields = { tenantId, sessionId, verificationId, device, credentialInstanceId, credentialConfigurationId, holderAccountId };
          // The first provision's record stays; every field but createdAt derives from the request, so the
          // answer needs no read (its createdAt is this call's).
          const lifecycle: ProjectedLifecycle = {
            status: CredentialStatus.inProcess,
            statusVersion: 0,
            changedAt: createdAt,
            reason: 'provisioned',
            credentialVersion: '',
          };
          await instances.updateOne({ _id }, { $setOnInsert: { ...fields, createdAt, lifecycle } }, { upsert: true });
          return { _id, ...fields, createdAt };
        }),
      );
      return { outcome: 'provisioned', instances: provisioned };
    },

    /** A holder's instances, all tenants (the back office speaks for the issuer's records, not a Wallet Server). */
    async findByHolder(holderAccountId: string, limit: number): Promise<CredentialInstance[]> {
      return instances.find({ holderAccountId }).limit(limit).toArray();
    },

    /**
     * Projects the instance's lifecycle (its workflow's only write here). Never goes back: a
     * projection with a lower statusVersion than the stored one changes nothing.
     */
    async recordLifecycle(key: { tenantId: string; credentialInstanceId: string }, lifecycle: ProjectedLifecycle): Promise<void> {
      await instances.updateOne(
        { _id: instanceDocumentId(key.tenantId, key.credentialInstanceId), 'lifecycle.statusVersion': { $not: { $gt: lifecycle.statusVersion } } },
        { $set: { lifecycle } },
      );
    },

    /**
     * The tenant's instance ids after `after`, in id order, `limit` at a time (a mass change pages
     * through them). A range of `_id` (`<tenantId>/…`), so only the _id index is read.
     */
    async listTenantInstanceIds(tenantId: string, after: string | undefined, limit: number): Promise<string[]> {
      const from = instanceDocumentId(tenantId, after ?? '');
      // '0' follows '/': every `<tenantId>/<id>` sorts below `<tenantId>0`.
      const found = await instances
        .find({ _id: { [after === undefined ? '$gte' : '$gt']: from, $lt: `${tenantId}0` } }, { projection: { credentialInstanceId: 1 } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return found.map((instance) => instance.credentialInstanceId);
    },

    /** The instances of a configuration on every Wallet Server after the key `after` (their _id), in that order, `limit` at a time. */
    async listConfigurationInstances(
      credentialConfigurationId: string,
      after: string | undefined,
      limit: number,
    ): Promise<{ key: string; tenantId: string; credentialInstanceId: string }[]> {
      const found = await instances
        .find({ credentialConfigurationId, ...(after === undefined ? {} : { _id: { $gt: after } }) }, { projection: { tenantId: 1, credentialInstanceId: 1 } })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return found.map((instance) => ({ key: instance._id, tenantId: instance.tenantId, credentialInstanceId: instance.credentialInstanceId }));
    },

    /**
     * Instances after the key `after` (their _id) that hold credentials and have not ended
     * (ACTIVE, SUSPENDED_ISSUER, SUSPENDED_WALLET), on every Wallet Server, in _id order, `limit`
     * at a time: what reconciliation's sweep asks about (profile §29).
     */
    async listLiveInstances(after: string | undefined, limit: number): Promise<{ key: string; tenantId: string; credentialInstanceId: string }[]> {
      const found = await instances
        .find(
          { ...(after === undefined ? {} : { _id: { $gt: after } }), 'lifecycle.status': { $in: [...liveStates] } },
          { projection: { tenantId: 1, credentialInstanceId: 1 } },
        )
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return found.map((instance) => ({ key: instance._id, tenantId: instance.tenantId, credentialInstanceId: instance.credentialInstanceId }));
    },

    /** An instance by its tenant and id (the back office: it speaks for the issuer, not for a session). */
    findById(tenantId: string, credentialInstanceId: string): Promise<CredentialInstance | null> {
      return instances.findOne({ _id: instanceDocumentId(tenantId, credentialInstanceId) });
    },

    /** The tenant's instance in this session; another tenant's or another session's is null, like a missing one. */
    async find(key: { tenantId: string; sessionId: string; credentialInstanceId: string }): Promise<CredentialInstance | null> {
      const instance = await instances.findOne({ _id: instanceDocumentId(key.tenantId, key.credentialInstanceId) });
      return instance && instance.sessionId === key.sessionId ? instance : null;
    },
  };
}

export type CredentialInstanceRepository = ReturnType<typeof createCredentialInstanceRepository>;
