import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../../config/config.schema';
import { ErrorResponseDto } from './api-dtos';

// from the package's public types: its dist/ folder is closed by its exports map
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = Extract<NonNullable<OperationObject['responses'][string]>, { description: string }>;
import { RATE_HEADERS } from './api-endpoint.decorator';

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
export function setupOpenApi(app: NestExpressApplication, config: AppConfig, bodyLimitLabel: string): void {
  let document: OpenAPIObject | undefined;
  const lazyDocument = () => (document ??= buildApiDocument(app, config, bodyLimitLabel));
  SwaggerModule.setup('api/docs', app, lazyDocument, {
    jsonDocumentUrl: 'api/openapi.json',
    yamlDocumentUrl: 'api/openapi.yaml',
    customSiteTitle: 'DevHub API',
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false },
  });
}

/** The document as /api/openapi.json serves it (also written to openapi.json by `npm run openapi`). */
export function buildApiDocument(app: NestExpressApplication, config: AppConfig, bodyLimitLabel: string): OpenAPIObject {
  return filterApiPaths(buildOpenApiDocument(app, config), bodyLimitLabel);
}

const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorResponseDto' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_SCHEMA } } });

function filterApiPaths(doc: OpenAPIObject, bodyLimitLabel: string): OpenAPIObject {
  doc.paths = Object.fromEntries(Object.entries(doc.paths).filter(([path]) => path.startsWith('/api/')));
  doc.info.description += ` Request bodies are JSON objects sent as \`application/json\`, at most ${bodyLimitLabel}; unknown fields and query parameters are refused with a 400 that names them.`;
  for (const item of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(item) as Array<[string, OperationObject]>) {
      if (!op || typeof op !== 'object' || !('responses' in op) || !op.security?.some((s) => 'apiKey' in s)) continue;
      // a read key never hits the scope check
      if (method === 'get') delete op.responses['403'];
      if (op.requestBody) {
        op.responses['413'] ??= errorResponse(`Body larger than the ${bodyLimitLabel} limit`);
        op.responses['415'] ??= errorResponse('Body not sent as application/json');
      }
      // every response of a key-authenticated route carries the rate-limit headers
      for (const response of Object.values(op.responses) as ResponseObject[]) {
        response.headers = { ...RATE_HEADERS, ...(response.headers ?? {}) };
      }
    }
  }
  return doc;
}
