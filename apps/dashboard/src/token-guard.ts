import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const cookieName = 'dgc_dashboard_token';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Requires the dashboard token on every request: `Authorization: Bearer <token>`, or `?token=<token>` once
 * (which sets an HttpOnly cookie so the page, its live stream and Bull Board's links keep working).
 * Comparison is constant-time over digests, so neither the token nor its length leaks through timing.
 */
export function tokenGuard(token: string) {
  const expected = digest(token);
  const matches = (candidate: string | undefined) =>
    candidate !== undefined && timingSafeEqual(digest(candidate), expected);
  return (request: Request, response: Response, next: NextFunction) => {
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    const query = typeof request.query.token === 'string' ? request.query.token : undefined;
    const cookie = request.headers.cookie
      ?.split(';')
      .map((part) => part.trim().split('='))
      .find(([name]) => name === cookieName)?.[1];
    if (matches(bearer) || matches(cookie ? decodeURIComponent(cookie) : undefined)) {
      next();
      return;
    }
    if (matches(query)) {
      response.cookie(cookieName, query, { httpOnly: true, sameSite: 'strict', path: '/' });
      next();
      return;
    }
    response
      .status(401)
      .set('www-authenticate', 'Bearer')
      .json({ error: 'a valid dashboard token is required' });
  };
}
