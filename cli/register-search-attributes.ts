import { parseArgs } from 'node:util';
import { connectTemporal } from '../clients/temporal/connection';
import { registerSearchAttributes } from '../clients/temporal/search-attributes';
import { loadConfig } from '../config/config';
import { runCommand } from './command';

const usage = `Registers the issuer's custom search attributes (workflows/search-attributes.ts) in the
configured Temporal namespace: only those it lacks, so it is safe to run on every deployment.

  npm run register-search-attributes

Connection settings come from the same environment as the worker (TEMPORAL_ADDRESS,
TEMPORAL_NAMESPACE, TEMPORAL_TLS_*); the certificate needs the operator's rights. The API and
the worker refuse to start on a namespace that lacks one.`;

runCommand('register-search-attributes', async () => {
  const { values } = parseArgs({ options: { help: { type: 'boolean' } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  const config = loadConfig();
  const connection = await connectTemporal(config.temporal);
  try {
    const added = await registerSearchAttributes(connection, config.temporal.namespace);
    console.log(JSON.stringify({ namespace: config.temporal.namespace, added }));
  } finally {
    await connection.close();
  }
});
