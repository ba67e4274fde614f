import type { AdminDeps } from '../admin/app';

/** What the reviewer console uses: the admin listener's repositories and workflow clients, and its sessions. */
export type ConsoleDeps = Pick<
  AdminDeps,
  | 'logger'
  | 'credentials'
  | 'authenticationThrottle'
  | 'consoleSessions'
  | 'adminAudit'
  | 'reviewCases'
  | 'verificationData'
  | 'workflows'
  | 'claimMs'
  | 'catalogue'
  | 'credentialInstances'
  | 'lifecycle'
  | 'tenants'
>;
