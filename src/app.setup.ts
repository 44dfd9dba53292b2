import type { DynamicModule } from '@nestjs/common';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import hbs from 'hbs';
import passport from 'passport';
import { AppModule } from './app.module';
import { DatabaseSessionStore } from './auth/session.store';
import { UsersService } from './auth/users.service';
import { NotificationsService } from './notifications/notifications.service';
import { toCurrentUser } from './auth/user.entity';
import type { AppConfig } from './config/config.schema';
import { HttpExceptionFilter } from './common/filters/http-exception.filter';
import { SentryReporter } from './common/errors/sentry-reporter';
import { csrfLocals } from './common/http/csrf';
import { chain } from './common/http/chain';
import { refuseDeepJson } from './common/http/json-depth';
import { AppRequest, isApiPath } from './common/http/request-types';
import { JsonLogger } from './common/logging/json-logger';
import { requestLogger } from './common/logging/request-logger';
import { registerViewHelpers } from './common/views/view-helpers';
import { PublicProfileEdge } from './profiles/public-edge';
import { setupOpenApi } from './common/api/openapi';
import { ApiRateLimitFallback } from './common/api/api-rate-limit-fallback';
import { MetricsService } from './metrics/metrics.service';

// src/ under jest, dist/src/ when built
export const ROOT_DIR = __dirname.endsWith(join('dist', 'src')) ? join(__dirname, '..', '..') : join(__dirname, '..');
export const VIEWS_DIR = join(ROOT_DIR, 'views');
export const PUBLIC_DIR = join(ROOT_DIR, 'public');
export const BODY_LIMIT = '1mb';
/** BODY_LIMIT as the 413 message and the docs say it */
export const BODY_LIMIT_LABEL = BODY_LIMIT.replace(/^(\d+)mb$/i, '$1 MB');

const SESSIONLESS = /^\/(healthz|readyz|metrics|static)(\/|$)/;

export async function createApp(config: AppConfig, logger = new JsonLogger(config.logLevel), extraModules: DynamicModule[] = []): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, extraModules), new ExpressAdapter(express()), {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.disable('x-powered-by');
  // Every page and API answer is dynamic and per user: hashing each body for a weak ETag costs CPU on
  // every request and almost never yields a 304. Static files and QR images set their own ETags.
  http.set('etag', false);
  // never `true`: that would let any client choose its address through X-Forwarded-For (see config.schema)
  if (config.trustProxy !== false) app.set('trust proxy', config.trustProxy);

  app.use(requestLogger(logger));
  // request durations by route template (never the raw path: ids and usernames stay out of labels);
  // only when /metrics is served (METRICS_TOKEN): otherwise nobody reads them and every request would pay
  const httpDuration = app.get(MetricsService).httpDuration;
  if (config.metricsToken) app.use((req: AppRequest, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req as AppRequest & { route?: { path?: string } }).route?.path;
      end({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  });
  const https = config.baseUrl.startsWith('https:');
  const directives = {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    // GitHub avatars on public profiles and the profile editor
    imgSrc: ["'self'", 'data:', 'https://avatars.githubusercontent.com'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    ...(https ? { upgradeInsecureRequests: [] } : {}),
  };
  const strict = helmet({ contentSecurityPolicy: { useDefaults: false, directives }, hsts: https });
  // Swagger UI (served from node_modules) carries inline styles; nothing else gets them
  const docs = helmet({ contentSecurityPolicy: { useDefaults: false, directives: { ...directives, styleSrc: ["'self'", "'unsafe-inline'"] } }, hsts: https });
  // JSON under /api renders nothing: a fixed, lock-everything-down header set (cheaper than helmet's
  // dozen middlewares on the hottest path); private data is never cached.
  const apiHeaders: Array<[string, string]> = [
    ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
    ['X-Content-Type-Options', 'nosniff'],
    ['X-Frame-Options', 'DENY'],
    ['Referrer-Policy', 'no-referrer'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Cache-Control', 'no-store'],
    ...(https ? ([['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']] as Array<[string, string]>) : []),
  ];
  app.use((req: AppRequest, res: Response, next: NextFunction) => {
    if (/^\/api\/docs/i.test(req.path)) return docs(req, res, next);
    if (isApiPath(req.path) && !/^\/api\/profiles\//i.test(req.path)) {
      for (const [name, value] of apiHeaders) res.setHeader(name, value);
      return next();
    }
    return strict(req, res, next);
  });
  // custom-domain routing and anonymous /@username views, ahead of static files, parsers and sessions
  app.use(app.get(PublicProfileEdge).handle);
  app.useStaticAssets(PUBLIC_DIR, { prefix: '/static/', maxAge: config.isProduction ? '7d' : 0 });

  // Nest's types reserve `verify` for its rawBody option (off here); at runtime the options go to express.json as they are
  app.useBodyParser('json', { limit: BODY_LIMIT, verify: refuseDeepJson } as { limit: string });

  const store = app.get(DatabaseSessionStore);
  const sessionMiddleware = session({
    name: 'devhub.sid',
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    // undefined: express-session follows the app's `trust proxy` for Secure cookies behind TLS-terminating proxies
    proxy: undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: https, maxAge: 14 * 24 * 3600 * 1000 },
  });
  const users = app.get(UsersService);
  const notifications = app.get(NotificationsService);
  const loadUser = async (req: AppRequest, res: Response, next: NextFunction) => {
    if (!req.session) return next();
    try {
      const userId = req.session.userId;
      if (userId) {
        const user = await users.findById(userId);
        // a disabled account's sessions stop working at once (the admin also deletes them)
        if (user && !user.disabledAt) {
          req.currentUser = toCurrentUser(user);
          // a signed-in page is private: never kept by the browser's or a proxy's cache
          res.setHeader('Cache-Control', 'no-store');
          res.locals.currentUser = req.currentUser;
          res.locals.unreadNotifications = await notifications.unreadCount(user.id);
        } else {
          delete req.session.userId;
        }
      }
      // flash messages are shown once, on the next page that renders
      if (req.method === 'GET' && req.session.flash?.length) {
        res.locals.flash = req.session.flash;
        delete req.session.flash;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
  // Forms, sessions, the signed-in user and CSRF tokens belong to pages. /api authenticates with
  // bearer keys and speaks JSON only (a form body there is a 415), so its requests skip the chain.
  const pages = chain(
    express.urlencoded({ extended: false, limit: BODY_LIMIT }),
    (req: AppRequest, res: Response, next: NextFunction) => (SESSIONLESS.test(req.path) ? next() : sessionMiddleware(req, res, next)),
    passport.initialize(),
    loadUser,
    csrfLocals(config.sessionSecret, https),
  );
  app.use((req: AppRequest, res: Response, next: NextFunction) => (isApiPath(req.path) ? next() : pages(req, res, next)));

  registerViewHelpers(hbs.handlebars, VIEWS_DIR);
  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  if (config.isProduction) app.set('view cache', true);
  app.setLocal('appName', 'DevHub');
  app.setLocal('githubEnabled', config.github.enabled);
  app.setLocal('baseUrl', config.baseUrl);

  setupOpenApi(app, config, BODY_LIMIT_LABEL);

  app.useGlobalFilters(new HttpExceptionFilter({ apiRateLimit: app.get(ApiRateLimitFallback), bodyLimitLabel: BODY_LIMIT_LABEL, errorReporter: app.get(SentryReporter) }));
  // SIGTERM/SIGINT are handled by main.ts (installGracefulShutdown): drain, then app.close()
  await app.init();
  return app;
}
