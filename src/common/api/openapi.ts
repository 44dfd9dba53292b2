import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../../config/config.schema';
import { ErrorResponseDto } from './api-dtos';

export function buildOpenApiDocument(app: NestExpressApplication, config: AppConfig): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('DevHub API')
    .setDescription(
      'The people you know, what you last talked about and when to follow up. Authenticate with an API key from ' +
        '/settings/api-keys: `Authorization: Bearer dh_…`. Lists take `limit` (1–100, default 20) and `offset` and answer ' +
        '`{ data, total, limit, offset }`. Every response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and ' +
        '`X-RateLimit-Reset`; a 429 carries `Retry-After`. Errors are `{ statusCode, error, message }`.',
    )
    .setVersion('1')
    .addServer(config.baseUrl)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'dh_ API key', description: 'An API key from /settings/api-keys' }, 'apiKey')
    .build();
  return SwaggerModule.createDocument(app, options, {
    extraModels: [ErrorResponseDto],
    // only the JSON API belongs in the document, not the HTML pages
    include: [],
    deepScanRoutes: true,
  });
}

/** `/api/openapi.json` and browsable docs at `/api/docs`, served from node_modules (no CDN). */
export function setupOpenApi(app: NestExpressApplication, config: AppConfig): void {
  let document: OpenAPIObject | undefined;
  const lazyDocument = () => (document ??= filterApiPaths(buildOpenApiDocument(app, config)));
  SwaggerModule.setup('api/docs', app, lazyDocument, {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
    customSiteTitle: 'DevHub API',
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false },
  });
}

function filterApiPaths(doc: OpenAPIObject): OpenAPIObject {
  doc.paths = Object.fromEntries(Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/')));
  return doc;
}
