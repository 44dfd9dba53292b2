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
    // DevHub's header and colours with enough contrast (WCAG AA); labels in /static/js/api-docs.js
    customCss: DOCS_CSS,
    customJs: '/static/js/api-docs.js',
    customfavIcon: '/static/favicon.svg',
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false },
  });
}

/** The document as /api/openapi.json serves it (also written to openapi.json by `npm run openapi`). */
export function buildApiDocument(app: NestExpressApplication, config: AppConfig, bodyLimitLabel: string): OpenAPIObject {
  return filterApiPaths(buildOpenApiDocument(app, config), bodyLimitLabel);
}

/** Swagger UI's method badges and buttons in darker shades (4.5:1 on white), and the app's header bar. */
const DOCS_CSS = `
  body { margin: 0; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
  .devhub-docs-header { display: flex; gap: 16px; align-items: center; padding: 12px 20px; background: #ffffff; border-bottom: 1px solid #d8dee4; }
  .devhub-docs-brand { font-weight: 700; color: #1f2328; text-decoration: none; }
  .devhub-docs-header nav a { color: #3730a3; margin-right: 12px; text-decoration: underline; }
  .swagger-ui .topbar { display: none; }
  .swagger-ui .opblock.opblock-get .opblock-summary-method { background: #0a5ba8; }
  .swagger-ui .opblock.opblock-post .opblock-summary-method { background: #0b7048; }
  .swagger-ui .opblock.opblock-patch .opblock-summary-method, .swagger-ui .opblock.opblock-put .opblock-summary-method { background: #8a4d00; }
  .swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b3261e; }
  .swagger-ui .info .title small pre, .swagger-ui .info .title small.version-stamp { background: #3d6b00; }
  .swagger-ui .info a { text-decoration: underline; }
  @media (prefers-color-scheme: light) {
    .swagger-ui .btn.authorize, .swagger-ui .btn.authorize span { color: #0b7048; border-color: #0b7048; }
    .swagger-ui .btn.authorize svg { fill: #0b7048; }
    .swagger-ui .opblock-tag small, .swagger-ui .opblock .opblock-summary-description, .swagger-ui .parameter__in, .swagger-ui .response-col_links, .swagger-ui .renderedMarkdown p { color: #3b434b; }
    .swagger-ui .info a { color: #3730a3; }
  }
  /* Swagger UI's own dark theme follows prefers-color-scheme: the header and our overrides follow it too */
  @media (prefers-color-scheme: dark) {
    .devhub-docs-header { background: #151b23; border-color: #30363d; }
    .devhub-docs-brand { color: #e6edf3; }
    .devhub-docs-header nav a, .swagger-ui .info a { color: #a5b4fc; }
    .swagger-ui .btn.authorize, .swagger-ui .btn.authorize span { color: #7ee2a8; border-color: #7ee2a8; }
    .swagger-ui .btn.authorize svg { fill: #7ee2a8; }
  }
`;

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
