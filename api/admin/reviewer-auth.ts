import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Middleware } from 'koa';
import { problems } from '../../domain/problems';

/** Reviewers and the SHA-256 (hex) of their bearer tokens; tokens themselves are never stored. */
export interface ReviewerTokens {
  reviewers: { id: string; tokenSha256: string }[];
}

export function loadReviewerTokens(file: string): ReviewerTokens {
  return JSON.parse(readFileSync(file, 'utf8')) as ReviewerTokens;
}

export function hashReviewerToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface ReviewerState {
  reviewerId: string;
}

/** Bearer-token authentication of reviewers (not the Wallet Servers' mTLS: a separate listener). */
export function authenticateReviewer(tokens: ReviewerTokens): Middleware<ReviewerState> {
  const known = tokens.reviewers.map((r) => ({ id: r.id, hash: Buffer.from(r.tokenSha256, 'hex') }));
  return async (ctx, next) => {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{16,})$/.exec(ctx.get('Authorization'));
    if (!match?.[1]) throw problems.unauthenticatedReviewer();
    const presented = Buffer.from(hashReviewerToken(match[1]), 'hex');
    const reviewer = known.find((r) => r.hash.length === presented.length && timingSafeEqual(r.hash, presented));
    if (!reviewer) throw problems.unauthenticatedReviewer();
    ctx.state.reviewerId = reviewer.id;
    await next();
  };
}
