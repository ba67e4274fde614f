import type { CredentialCatalogue } from '../../domain/credential-configurations';
import { describeCredentialMetadata } from '../../crypto/credential-metadata-version';
import { problems } from '../../domain/problems';
import { CredentialMetadataRequest, CredentialMetadataResponse } from '../../domain/schemas/credential';
import type { CredentialInstanceRepository } from '../../store/credential-instances';
import type { CredentialMetadataVersionRepository } from '../../store/credential-metadata-versions';
import type { ApiMiddleware } from '../context';
import { validatedBody } from '../middleware/validate-body';
import { configurationOf, findTenantInstance } from './instance-lookup';
import type { ProtocolRoute } from './route';

export interface MetadataDeps {
  catalogue: CredentialCatalogue;
  credentialInstances: CredentialInstanceRepository;
  credentialMetadataVersions: CredentialMetadataVersionRepository;
}

/**
 * S2S §Get Credential Metadata: the display data of the instance's configuration, the current
 * version or the one asked for (profile §27, Metadata versioning). Display data is not personal
 * data, so it is answered in clear; walletEncryptionKey is validated like every KeyData.
 */
function readCredentialMetadata(deps: MetadataDeps): ApiMiddleware {
  return async (ctx) => {
    const body = validatedBody(ctx, CredentialMetadataRequest);
    const instance = await findTenantInstance(ctx, deps.credentialInstances, body);
    const current = describeCredentialMetadata(configurationOf(deps.catalogue, instance));
    const wanted = body.credentialMetadataVersion;
    const credentialMetadata =
      wanted === undefined || wanted === current.credentialMetadataVersion
        ? current
        : await deps.credentialMetadataVersions.find(instance.credentialConfigurationId, wanted);
    if (!credentialMetadata) throw problems.credentialMetadataVersionNotFound();
    ctx.body = { credentialMetadata } satisfies CredentialMetadataResponse;
  };
}

export const credentialMetadataRoute: ProtocolRoute<MetadataDeps> = {
  method: 'POST',
  path: '/credential/metadata',
  summary: 'Display data and metadata of a credential instance, by version (S2S §Get Credential Metadata)',
  requestSchema: CredentialMetadataRequest,
  responseSchema: CredentialMetadataResponse,
  effects: 'read',
  steps: (deps) => [readCredentialMetadata(deps)],
};
