import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/platform';
import { basicCredentials } from '../../participants/token.controller';
import { digitError } from '../envelope/digit-exception';
import { responseInfo } from '../envelope/response-info';
import { DigitAuthService } from './digit-auth.service';

/** DIGIT's egov-user token endpoint, as the integration guide shows it. */
@ApiTags('DIGIT')
@Controller('user/oauth')
export class DigitOauthController {
  constructor(private readonly auth: DigitAuthService) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOperation({
    summary:
      'Password grant (grant_type=password, username, password, tenantId, userType) or refresh_token, with the client by HTTP Basic (egov-user-client)',
  })
  async token(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: Record<string, unknown>,
  ) {
    const client = basicCredentials(authorization);
    if (!this.auth.clientMatches(client.id, client.secret))
      throw digitError('invalid_client', 'Unknown OAuth client', 401);
    const f = Object.fromEntries(
      Object.entries(body ?? {}).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
    const tokens =
      f.grant_type === 'password'
        ? await this.auth.passwordGrant(f)
        : f.grant_type === 'refresh_token'
          ? await this.auth.refreshGrant(f.refresh_token)
          : (() => {
              throw digitError('unsupported_grant_type', 'grant_type must be password or refresh_token');
            })();
    return { ...tokens, ResponseInfo: responseInfo(undefined) };
  }
}
