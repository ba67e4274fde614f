import { EventNotificationResponse, WalletEventNotification } from '../../domain/schemas/credential-events';
import type { CredentialInstance, CredentialInstanceRepository } from '../../store/credential-instances';
import type { WalletEventRecord } from '../../workflows/credential-lifecycle/messages';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { findTenantInstance } from './instance-lookup';
import type { ProtocolRoute } from './route';

/** Passes a Wallet Server event to the instance's CredentialLifecycleWorkflow; false when it has ended. */
export interface WalletEventReceiver {
  walletEvent(instance: CredentialInstance, event: WalletEventRecord): Promise<boolean>;
}

export interface EventNotifyDeps {
  credentialInstances: CredentialInstanceRepository;
  walletEvents: WalletEventReceiver;
}

/**
 * S2S §Event Notification, Wallet Server → issuer (profile §29): one of the nine Wallet Server
 * event types for one of its instances, with the details the profile defines for the type. The
 * instance's workflow records it and applies its effect; `acknowledged` is false only when the
 * instance's lifecycle has ended (CANCELLED), where there is nothing left to apply it to.
 */
function eventNotify(deps: EventNotifyDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, WalletEventNotification);
    const instance = await findTenantInstance(ctx, deps.credentialInstances, body);
    // Codes, versions, counts and times only (the schema allows nothing else): fit for the history.
    const details = body.eventDetails ? (Object.fromEntries(Object.entries(body.eventDetails)) as Record<string, string | number>) : undefined;
    const acknowledged = await deps.walletEvents.walletEvent(instance, {
      eventType: body.eventType,
      eventTimestamp: body.eventTimestamp,
      ...(body.triggeringRequestId ? { triggeringRequestId: body.triggeringRequestId } : {}),
      ...(details && Object.keys(details).length > 0 ? { details } : {}),
    });
    ctx.body = { acknowledged } satisfies EventNotificationResponse;
  };
}

export const eventNotifyRoute: ProtocolRoute<EventNotifyDeps> = {
  method: 'POST',
  path: '/event/notify',
  summary: 'A Wallet Server event for a credential instance (S2S §Event Notification, profile §29)',
  requestSchema: WalletEventNotification,
  responseSchema: EventNotificationResponse,
  effects: 'write',
  steps: (deps) => [eventNotify(deps)],
};
