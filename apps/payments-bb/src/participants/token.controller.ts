import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/platform';
import { OAuthError, TokenService } from './token.service';

const decode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/** RFC 6749 2.3.1: client ID and secret are form-encoded before Basic encoding; a bad escape is no credential. */
export function basicCredentials(header?: string): { id?: string; secret?: string } {
  if (!header?.startsWith('Basic ')) return {};
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return {};
  const id = decode(decoded.slice(0, sep));
  const secret = decode(decoded.slice(sep + 1));
  return id === undefined || secret === undefined ? {} : { id, secret };
}

/** RFC 6749 section 4.4 token endpoint; errors in the RFC's own `{ error, error_description }` shape. */
@ApiTags('auth')
@Controller('oauth')
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'OAuth2 client-credentials token (form or JSON body; client credentials by HTTP Basic or body)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
        scope: { type: 'string' },
      },
    },
  })
  @ApiOkResponse({ description: '{ access_token, token_type: "Bearer", expires_in, scope }' })
  async token(
    @Body() body: Record<string, unknown>,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const basic = basicCredentials(authorization);
    res.setHeader('Cache-Control', 'no-store');
    try {
      return await this.tokens.issue(
        body?.grant_type,
        basic.id ?? body?.client_id,
        basic.secret ?? body?.client_secret,
        body?.scope,
      );
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      res.status(err.status);
      if (err.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="payments-bb"');
      return { error: err.error, error_description: err.description };
    }
  }
}
