import { readFileSync } from 'node:fs';
import { createWalletServerClient, type WalletServerClient } from '../clients/wallet-server-client';
import { loadDataKeyring, type DataKeyring } from '../crypto/data-encryption';
import { loadIssuerKeys, type IssuerKeys } from '../crypto/issuer-keys';
import type { AppConfig } from './config';

/** Key material and outbound clients that both the API and the worker build from configuration. */
export function loadIssuerKeyMaterial(config: AppConfig): { issuerKeys: IssuerKeys; dataKeyring: DataKeyring } {
  return { issuerKeys: loadIssuerKeys(config.keys.issuerKeysFile), dataKeyring: loadDataKeyring(config.keys.dataKeysFile) };
}

export function createConfiguredWalletServerClient(config: AppConfig): WalletServerClient {
  const tls = config.walletServerTls;
  return createWalletServerClient({
    certificatePem: readFileSync(tls.certFile, 'utf8'),
    privateKeyPem: readFileSync(tls.keyFile, 'utf8'),
    ...(tls.caFile ? { caPem: readFileSync(tls.caFile, 'utf8') } : {}),
    requestTimeoutMs: config.outbound.requestTimeoutMs,
  });
}
