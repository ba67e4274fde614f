import { createCredentialCatalogue } from '../../domain/credential-configurations';
import { decideVerification, type PolicyInput } from '../../domain/verification-policy';

const catalogue = createCredentialCatalogue([
  { id: 'mdl', format: 'mso_mdoc', acceptedVerificationTypes: ['urn:t:doc', 'urn:t:offer'], maxDevices: 3 },
  { id: 'pid', format: 'dc+sd-jwt', acceptedVerificationTypes: ['urn:t:doc'], maxDevices: 1 },
]);

function input(overrides: Partial<PolicyInput>): PolicyInput {
  return {
    catalogue,
    credentialConfigurationIds: ['mdl'],
    requestedDeviceCount: 1,
    availableTypes: new Set(['urn:t:doc', 'urn:t:offer']),
    evaluated: [],
    ...overrides,
  };
}

describe('decideVerification (profile §Verification policy)', () => {
  it('approves when every configuration has a satisfied accepted type, capping devices at the lowest maximum', () => {
    const decision = decideVerification(
      input({ credentialConfigurationIds: ['mdl', 'pid'], requestedDeviceCount: 5, evaluated: [{ type: 'urn:t:doc', verdict: { verdict: 'satisfied' } }] }),
    );
    expect(decision).toEqual({ status: 'APPROVED', credentialConfigurationIds: ['mdl', 'pid'], authorizedDeviceCount: 1 });
  });

  it('grants the requested device count within the maximum', () => {
    const decision = decideVerification(input({ requestedDeviceCount: 2, evaluated: [{ type: 'urn:t:offer', verdict: { verdict: 'satisfied' } }] }));
    expect(decision).toMatchObject({ status: 'APPROVED', authorizedDeviceCount: 2 });
  });

  it('does not approve a configuration whose accepted types were not satisfied', () => {
    const decision = decideVerification(
      input({ credentialConfigurationIds: ['mdl', 'pid'], evaluated: [{ type: 'urn:t:offer', verdict: { verdict: 'satisfied' } }] }),
    );
    expect(decision).toEqual({
      status: 'ADDITIONAL_INFO_REQUIRED',
      verificationDataRequest: { verificationDataItems: [{ type: 'urn:t:doc', id: 'urn:t:doc#1', required: false }] },
    });
  });

  it('reports a rejected item as REJECTED', () => {
    const decision = decideVerification(
      input({ evaluated: [{ type: 'urn:t:doc', verdict: { verdict: 'rejected', reasonCode: 'DOCUMENT_EXPIRED', details: 'expired 2020' } }] }),
    );
    expect(decision).toEqual({ status: 'REJECTED', reasonCode: 'DOCUMENT_EXPIRED', rejectedDetails: 'expired 2020' });
  });

  it("passes an evaluator's follow-up request through", () => {
    const request = [{ type: 'urn:t:doc', id: 'selfie', required: true }];
    expect(decideVerification(input({ evaluated: [{ type: 'urn:t:x', verdict: { verdict: 'needs_more', request } }] }))).toEqual({
      status: 'ADDITIONAL_INFO_REQUIRED',
      verificationDataRequest: { verificationDataItems: request },
    });
  });

  it('asks only for types the wallet supports and the server can evaluate', () => {
    const decision = decideVerification(input({ walletSupportedTypes: ['urn:t:offer'] }));
    expect(decision).toMatchObject({ verificationDataRequest: { verificationDataItems: [{ type: 'urn:t:offer' }] } });
    expect(decideVerification(input({ availableTypes: new Set(['urn:t:doc']) }))).toMatchObject({
      verificationDataRequest: { verificationDataItems: [{ type: 'urn:t:doc' }] },
    });
  });

  it('requires every type of a combination, asking for the missing ones as required', () => {
    const combined = createCredentialCatalogue([
      { id: 'bank', format: 'x', acceptedVerificationTypes: ['urn:t:doc', 'urn:t:offer'], requiredTypeSets: [['urn:t:doc', 'urn:t:offer']], maxDevices: 1 },
    ]);
    const partial = decideVerification(
      input({ catalogue: combined, credentialConfigurationIds: ['bank'], evaluated: [{ type: 'urn:t:doc', verdict: { verdict: 'satisfied' } }] }),
    );
    expect(partial).toEqual({
      status: 'ADDITIONAL_INFO_REQUIRED',
      verificationDataRequest: { verificationDataItems: [{ type: 'urn:t:offer', id: 'urn:t:offer#1', required: true }] },
    });
    const both = decideVerification(
      input({
        catalogue: combined,
        credentialConfigurationIds: ['bank'],
        evaluated: [
          { type: 'urn:t:doc', verdict: { verdict: 'satisfied' } },
          { type: 'urn:t:offer', verdict: { verdict: 'satisfied' } },
        ],
      }),
    );
    expect(both).toMatchObject({ status: 'APPROVED' });
  });

  it('denies when the wallet supports no accepted type', () => {
    expect(decideVerification(input({ walletSupportedTypes: ['urn:t:other'] }))).toMatchObject({ status: 'DENIED', reasonCode: 'NO_USABLE_VERIFICATION_TYPE' });
  });
});
