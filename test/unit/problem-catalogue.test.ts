import { readFileSync } from 'node:fs';
import path from 'node:path';
import { problems, ProblemType } from '../../domain/problems';

/** The §7 section of docs/profile.md: every error a client can receive, with its status. */
function errorTable(): string {
  const profile = readFileSync(path.join(__dirname, '../../docs/profile.md'), 'utf8');
  const start = profile.indexOf('## 7. Errors');
  const end = profile.indexOf('\n## 8.', start);
  return profile.slice(start, end);
}

describe('the problem catalogue (domain/problems.ts) and docs/profile.md §7', () => {
  it('lists every problem type in the table of §7, once', () => {
    const table = errorTable();
    const rows = (uri: string) => table.split('\n').filter((line) => line.startsWith(`| \`${uri}\` |`));
    expect(Object.values(ProblemType).filter((uri) => rows(uri).length !== 1)).toEqual([]);
  });

  it.each([
    ['verification-not-approved', problems.verificationNotApproved('PENDING')],
    ['device-limit-reached', problems.deviceLimitReached(1)],
    ['holder-not-known', problems.holderNotKnown()],
    ['credential-instance-not-found', problems.credentialInstanceNotFound()],
    ['credential-instance-closed', problems.credentialInstanceClosed('unlinked')],
    ['credential-data-unavailable', problems.credentialDataUnavailable('no holder data')],
    ['credential-metadata-version-not-found', problems.credentialMetadataVersionNotFound()],
    ['content-not-found', problems.contentNotFound()],
  ])('documents the credential problem %s with the status the server answers', (_name, problem) => {
    expect(errorTable()).toContain(`| \`${problem.type}\` | ${problem.status} |`);
  });
});
