import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Db } from 'mongodb';
import { loadConfig } from '../config/config';
import { runCommand, withIssuerDatabase } from './command';
import { pemThumbprint } from '../crypto/certificate-thumbprint';
import { createTenantRepository } from '../store/tenants';

const usage = `Revokes a Wallet Server's client certificate, or deregisters a Wallet Server (a tenant).

  npm run deregister-wallet-server -- --revoke-cert CERT.pem
  npm run deregister-wallet-server -- --revoke-thumbprint X5T_S256
  npm run deregister-wallet-server -- --tenant TENANT_ID

  --revoke-cert         revoke this certificate (PEM): its thumbprint never authenticates again
                        and cannot be registered again; the tenant keeps its other certificates
  --revoke-thumbprint   the same, by the certificate's x5t#S256 thumbprint (base64url SHA-256 of the DER)
  --tenant              deregister this tenant: every certificate it holds is revoked; its
                        records stay until their retention ends

Takes effect on every API process within S2S_TENANT_CACHE_MS (1 s by default), on open
connections too. Connection settings come from the same environment as the API (MONGODB_URI, ...).`;

export type DeregistrationCommand = { revokeThumbprint: string } | { deregisterTenant: string };

/** Runs one revocation or deregistration against `db`; returns what the command prints. */
export async function deregisterIn(db: Db, command: DeregistrationCommand): Promise<Record<string, unknown>> {
  const tenants = createTenantRepository(db);
  if ('revokeThumbprint' in command) {
    const { revokedAt, tenantId } = await tenants.revokeCertificate(command.revokeThumbprint);
    return { revoked: command.revokeThumbprint, revokedAt: revokedAt.toISOString(), ...(tenantId ? { tenantId } : { registered: false }) };
  }
  const tenant = await tenants.deregister(command.deregisterTenant);
  if (!tenant) throw new Error(`no tenant ${command.deregisterTenant}`);
  return { deregistered: tenant._id, name: tenant.name, deregisteredAt: tenant.deregisteredAt?.toISOString() };
}

function commandFrom(values: { 'revoke-cert'?: string; 'revoke-thumbprint'?: string; tenant?: string }): DeregistrationCommand | undefined {
  const given = [values['revoke-cert'], values['revoke-thumbprint'], values.tenant].filter((v) => v !== undefined);
  if (given.length !== 1) return undefined;
  if (values['revoke-cert']) return { revokeThumbprint: pemThumbprint(readFileSync(values['revoke-cert'], 'utf8')) };
  if (values['revoke-thumbprint']) return { revokeThumbprint: values['revoke-thumbprint'] };
  return values.tenant ? { deregisterTenant: values.tenant } : undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'revoke-cert': { type: 'string' }, 'revoke-thumbprint': { type: 'string' }, tenant: { type: 'string' }, help: { type: 'boolean' } },
  });
  const command = values.help ? undefined : commandFrom(values);
  if (!command) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const result = await withIssuerDatabase(loadConfig(), (db) => deregisterIn(db, command));
  console.log(JSON.stringify(result, null, 2));
}

if (require.main === module) runCommand('deregister-wallet-server', main);
