import type { ApiDeps } from '../app';
import { contentDownloadRoute } from './content-download';
import { credentialGetRoute } from './credential-get';
import { credentialManageRoute } from './credential-manage';
import { credentialMetadataRoute } from './credential-metadata';
import { credentialNonceRoute } from './credential-nonce';
import { credentialProvisionRoute } from './credential-provision';
import { credentialStatusRoute } from './credential-status';
import { eventNotifyRoute } from './event-notify';
import { issuerMetadataRoute, type MetadataRouteDeps } from './issuer-metadata';
import { openApiDocumentRoute } from './openapi-document';
import type { DocumentRoute, ProtocolRoute } from './route';
import { verificationCancelRoute } from './verification-cancel';
import { verificationInitiateRoute } from './verification-initiate';
import { verificationStatusRoute } from './verification-status';
import { verificationSupplementRoute } from './verification-supplement';

/**
 * The Issuer Endpoints (S2S §Endpoints) this server implements, in the order the draft lists
 * them. The router (api/app.ts), the OpenAPI document (api/openapi.ts) and the issuer metadata's
 * endpoints_supported are built from this table: adding an endpoint is adding it here.
 */
export const protocolRoutes: readonly ProtocolRoute<ApiDeps>[] = [
  verificationInitiateRoute,
  verificationSupplementRoute,
  verificationStatusRoute,
  verificationCancelRoute,
  credentialProvisionRoute,
  // Profile §25: the nonce a get's proofs are bound to, listed before the get it serves.
  credentialNonceRoute,
  credentialGetRoute,
  credentialMetadataRoute,
  credentialStatusRoute,
  credentialManageRoute,
  eventNotifyRoute,
];

/** What document routes are given: the API's dependencies and the route tables. */
export type DocumentDeps = ApiDeps & MetadataRouteDeps & { documentRoutes: readonly DocumentRoute<never>[] };

/**
 * Resources served by GET beside the endpoints: the documents that describe the protocol route
 * table, and the download of credentials delivered by reference (profile §25 Content Reference),
 * which the OpenAPI document lists as well.
 */
export const documentRoutes: readonly DocumentRoute<DocumentDeps>[] = [issuerMetadataRoute, openApiDocumentRoute, contentDownloadRoute];
