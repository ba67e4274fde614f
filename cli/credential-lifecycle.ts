import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { issuerActions } from '../domain/credential-lifecycle';
import { sendRequest } from '../wallet/issuer-request';
import { runCommand } from './command';

const usage = `The issuer's lifecycle changes of credential instances (profile §29), through the admin API
with a back-office credential.

  npm run credential-lifecycle -- --action SUSPEND|RESUME|CANCEL --instance TENANT_ID/CREDENTIAL_INSTANCE_ID [--reason CODE]
  npm run credential-lifecycle -- --action ... --holder HOLDER_ACCOUNT_ID [--reason CODE]
  npm run credential-lifecycle -- --action ... --wallet-server TENANT_ID [--reason CODE] [--request-id UUID]
  npm run credential-lifecycle -- --batch BATCH_ID
  npm run credential-lifecycle -- --reconcile TENANT_ID/CREDENTIAL_INSTANCE_ID

  --instance        one instance
  --holder          every instance of the holder, on every Wallet Server (at most 200)
  --wallet-server   every instance on the Wallet Server, as a batch: prints its batchId
  --batch           how far a batch has come
  --reconcile       compare one instance with its Wallet Server's view now
  --reason          a code (letters, digits, _ . -) kept as lastStatusChangeReason
  --request-id      names the request, so that running it again changes nothing twice
  --token-file      a file holding the back-office bearer token (else S2S_BACK_OFFICE_TOKEN);
                    in development: .data/keys/dev-back-office-token

The admin listener comes from the API's environment (S2S_ADMIN_HOST, S2S_ADMIN_PORT); the CA of
its certificate from S2S_ADMIN_CA_FILE, else S2S_TLS_CLIENT_CA (the development CA signs both).`;

/** What one invocation asks the admin API: method, path and body. */
export function requestFor(
  values: Readonly<Record<string, string | boolean | undefined>>,
): { method: 'GET' | 'POST'; path: string; body?: unknown } | undefined {
  const one = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const action = one('action');
  const body = { action, ...(one('reason') ? { reason: one('reason') } : {}), ...(one('request-id') ? { requestId: one('request-id') } : {}) };
  const targets = ['instance', 'holder', 'wallet-server', 'batch', 'reconcile'].filter((name) => one(name) !== undefined);
  if (targets.length !== 1) return undefined;
  const instancePath = (value: string) => {
    const [tenantId, credentialInstanceId, ...rest] = value.split('/');
    return tenantId && credentialInstanceId && rest.length === 0
      ? `/admin/credential-instances/${encodeURIComponent(tenantId)}/${encodeURIComponent(credentialInstanceId)}`
      : undefined;
  };
  const target = targets[0] as string;
  const value = one(target) as string;
  if (target === 'batch') return { method: 'GET', path: `/admin/lifecycle-batches/${encodeURIComponent(value)}` };
  if (target === 'reconcile') {
    const base = instancePath(value);
    return base ? { method: 'POST', path: `${base}/reconcile` } : undefined;
  }
  if (!action || !(issuerActions as readonly string[]).includes(action)) return undefined;
  if (target === 'instance') {
    const base = instancePath(value);
    return base ? { method: 'POST', path: `${base}/lifecycle`, body } : undefined;
  }
  if (target === 'holder') return { method: 'POST', path: `/admin/holders/${encodeURIComponent(value)}/lifecycle`, body };
  return { method: 'POST', path: `/admin/wallet-servers/${encodeURIComponent(value)}/lifecycle`, body };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      action: { type: 'string' },
      instance: { type: 'string' },
      holder: { type: 'string' },
      'wallet-server': { type: 'string' },
      batch: { type: 'string' },
      reconcile: { type: 'string' },
      reason: { type: 'string' },
      'request-id': { type: 'string' },
      'token-file': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const request = values.help ? undefined : requestFor(values);
  if (!request) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadConfig();
  const tokenFile = values['token-file'];
  const token = process.env.S2S_BACK_OFFICE_TOKEN ?? (tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  if (!token) throw new Error('no back-office credential: set S2S_BACK_OFFICE_TOKEN or pass --token-file');
  // In development one CA signs every certificate; a deployment names the admin listener's.
  const agent = new https.Agent({ ca: readFileSync(process.env.S2S_ADMIN_CA_FILE ?? config.tls.clientCaFile, 'utf8') });
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const answer = await sendRequest(`https://${config.admin.host}:${config.admin.port}${request.path}`, {
    method: request.method,
    agent,
    headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
    ...(payload ? { body: payload } : {}),
  });
  agent.destroy();
  console.log(answer.text);
  if (answer.status >= 400) process.exit(1);
}

if (require.main === module) runCommand('credential-lifecycle', main);
