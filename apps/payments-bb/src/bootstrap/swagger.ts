import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { canonicalJson } from '@app/platform';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('GovStack Payments Building Block')
    .setDescription(
      'Account mapper, bulk disbursement, vouchers and P2G bill payments. Authenticate with `X-API-Key` or an ' +
        'OAuth2 client-credentials bearer token from `POST /oauth/token`. Send `Platform-TenantId` to name the tenant ' +
        '(it must be the client’s own) and `X-CorrelationID` to trace a call; both are echoed.',
    )
    .setVersion('1.0.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const doc = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  // Stable key order, so the committed file only changes when the API does.
  return JSON.parse(canonicalJson(doc)) as OpenAPIObject;
}

export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
