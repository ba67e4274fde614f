import { isIssuableConfiguration, type CredentialCatalogue, type CredentialConfiguration } from '../../domain/credential-configurations';
import { problems } from '../../domain/problems';
import type { CredentialInstance, CredentialInstanceRepository } from '../../store/credential-instances';
import type { ApiContext } from '../context';

/** The tenant's credential instance in the named session; another tenant's (or session's) is "not found" too. */
export async function findTenantInstance(
  ctx: ApiContext,
  instances: CredentialInstanceRepository,
  ids: { sessionId: string; credentialInstanceId: string },
): Promise<CredentialInstance> {
  const instance = await instances.find({ tenantId: ctx.state.tenant._id, ...ids });
  if (!instance) throw problems.credentialInstanceNotFound();
  return instance;
}

/** The configuration an instance was provisioned for; one the issuer no longer offers closes the instance. */
export function configurationOf(catalogue: CredentialCatalogue, instance: CredentialInstance): CredentialConfiguration {
  const configuration = catalogue.get(instance.credentialConfigurationId);
  if (!configuration || !isIssuableConfiguration(configuration)) {
    throw problems.credentialInstanceClosed(`The credential configuration ${instance.credentialConfigurationId} is no longer issued`);
  }
  return configuration;
}
