// Runs once, when MongoDB initialises an empty data directory (docker-entrypoint-initdb.d):
// creates the user the Issuer API and the worker connect as, with readWrite on their database
// only. Its password is the secret deploy/secrets/mongodb-issuer-password; the same credentials
// go into deploy/secrets/mongodb-uri (MONGODB_URI_FILE).
/* global db -- mongosh's database handle */
// mongosh scripts load Node modules with require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('fs');
const password = fs.readFileSync('/run/secrets/mongodb-issuer-password', 'utf8').trim();
db.getSiblingDB('s2s_issuer').createUser({ user: 'issuer', pwd: password, roles: [{ role: 'readWrite', db: 's2s_issuer' }] });
