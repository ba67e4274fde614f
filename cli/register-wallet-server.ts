import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Db } from 'mongodb';
import { loadConfig } from '../config/config';
import { pemThumbprint } from '../crypto/certificate-thumbprint';
import type { TenantQuotas } from '../domain/quotas';
import { createTenantRepository, type Tenant } from '../store/tenants';
import { runCommand, withIssuerDatabase } from './command';

const usage = `Registers a Wallet Server (a tenant) by its mTLS client certificate, or adds a
certificate to one already registered (rotation).

  npm run register-wallet-server -- --name NAME --cert CERT.pem --notification-url URL
      [--rate-limit N] [--burst N] [--max-open-verifications N]
  npm run register-wallet-server -- --tenant TENANT_ID --cert NEW.pem

  --tenant             add --cert to this registered Wallet Server: both certificates work until
                       the old one is revoked (npm run deregister-wallet-server -- --revoke-cert)

  --name               human-readable name shown to operators
  --cert               the Wallet Server's client certificate (PEM); it must be issued by the
                       client CA the Issuer API trusts (S2S_TLS_CLIENT_CA)
  --notification-url   base URL of its Wallet Server Endpoints (e.g. https://wallet.example/s2s)
  --rate-limit         requests per second it may send to each API process (docs/profile.md §Quotas)
  --burst              requests it may send at once after a quiet period
  --max-open-verifications
                       verifications it may have open (not yet APPROVED, DENIED or EXPIRED)
                       A quota not given is the API's default (S2S_RATE_LIMIT_PER_SECOND,
                       S2S_RATE_LIMIT_BURST, S2S_MAX_OPEN_VERIFICATIONS); re-registering
                       keeps a quota set before unless it is given again.

Connection settings come from the same environment as the API (MONGODB_URI, MONGODB_DATABASE, ...).`;

/** The certificate, once it is known to chain to the client CA (else the TLS layer would refuse it anyway). */
function checkIssuedByClientCa(certificatePem: string, clientCaPem: string): X509Certificate {
  const certificate = new X509Certificate(certificatePem);
  const ca = new X509Certificate(clientCaPem);
  if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
    throw new Error('the certificate is not issued by the configured client CA, so the TLS layer would refuse it');
  }
  return certificate;
}

/** Validates the registration and stores it; returns the tenant. */
export async function registerWalletServer(
  options: { name: string; certificatePem: string; notificationBaseUrl: string; clientCaPem: string; quotas?: Partial<TenantQuotas> },
  tenants: ReturnType<typeof createTenantRepository>,
): Promise<Tenant> {
  const certificate = checkIssuedByClientCa(options.certificatePem, options.clientCaPem);
  const url = new URL(options.notificationBaseUrl);
  if (url.protocol !== 'https:') throw new Error('the notification URL must use https (S2S §Transport)');
  for (const [name, value] of Object.entries(options.quotas ?? {})) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new Error(`the quota ${name} must be a positive number, got ${value}`);
  }
  // A bucket smaller than one token would refuse every request.
  if (options.quotas?.burst !== undefined && options.quotas.burst < 1) throw new Error('the quota burst must be at least 1');
  if (options.quotas?.maxOpenVerifications !== undefined && !Number.isInteger(options.quotas.maxOpenVerifications)) {
    throw new Error('the quota maxOpenVerifications must be a whole number');
  }
  return tenants.register({
    ...(options.quotas ? { quotas: options.quotas } : {}),
    name: options.name,
    certThumbprint: pemThumbprint(options.certificatePem),
    certificatePem: certificate.toString(),
    notificationBaseUrl: url.toString().replace(/\/$/, ''),
  });
}

/**
 * Registers into `db`: this command is a process of its own, and this is its composition (the
 * development stack and the local chaos stack register their Wallet Servers the same way).
 */
export function registerWalletServerIn(db: Db, options: Parameters<typeof registerWalletServer>[0]): Promise<Tenant> {
  return registerWalletServer(options, createTenantRepository(db));
}

/** The quota options given on the command line, as numbers (validated by registerWalletServer). */
export function quotasFromOptions(values: { 'rate-limit'?: string; burst?: string; 'max-open-verifications'?: string }): Partial<TenantQuotas> {
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const quotas = { ratePerSecond: number(values['rate-limit']), burst: number(values.burst), maxOpenVerifications: number(values['max-open-verifications']) };
  return Object.fromEntries(Object.entries(quotas).filter(([, value]) => value !== undefined));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      name: { type: 'string' },
      cert: { type: 'string' },
      'notification-url': { type: 'string' },
      'rate-limit': { type: 'string' },
      burst: { type: 'string' },
      'max-open-verifications': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const adding = values.tenant !== undefined;
  if (values.help || !values.cert || (!adding && (!values.name || !values['notification-url']))) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadConfig();
  if (adding) {
    const certificatePem = readFileSync(values.cert, 'utf8');
    checkIssuedByClientCa(certificatePem, readFileSync(config.tls.clientCaFile, 'utf8'));
    const tenant = await withIssuerDatabase(config, (db) =>
      createTenantRepository(db).addCertificate(values.tenant as string, { certThumbprint: pemThumbprint(certificatePem), certificatePem }),
    );
    console.log(JSON.stringify({ tenantId: tenant._id, name: tenant.name, added: pemThumbprint(certificatePem) }, null, 2));
    return;
  }
  const registration = {
    name: values.name as string,
    certificatePem: readFileSync(values.cert, 'utf8'),
    notificationBaseUrl: values['notification-url'] as string,
    clientCaPem: readFileSync(config.tls.clientCaFile, 'utf8'),
    quotas: quotasFromOptions(values),
  };
  const tenant = await withIssuerDatabase(config, (db) => registerWalletServerIn(db, registration));
  const quotas = { ...config.quotas, ...tenant.quotas };
  console.log(JSON.stringify({ tenantId: tenant._id, name: tenant.name, notificationBaseUrl: tenant.notificationBaseUrl, quotas }, null, 2));
}

if (require.main === module) runCommand('register-wallet-server', main);
