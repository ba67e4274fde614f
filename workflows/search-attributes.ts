import { credentialLifecycleSearchAttributes } from './credential-lifecycle/search-attributes';
import { verificationSearchAttributes } from './verification/search-attributes';

/** Every custom search attribute the issuer's workflows set: what a Temporal namespace must have registered. */
export const issuerSearchAttributes = [
  ...new Map([...verificationSearchAttributes, ...credentialLifecycleSearchAttributes].map((key) => [key.name, key])).values(),
];
