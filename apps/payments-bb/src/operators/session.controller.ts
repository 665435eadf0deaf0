import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig, AppException, ErrorCode, Public } from '@app/platform';
import { operatorView } from './operator';
import { ChangePasswordDto, LoginDto } from './operators.dto';
import { OperatorsService } from './operators.service';
import { ConsoleSession, OperatorSessionsService, SessionRequest } from './operator-sessions.service';
import { sessionCookie } from './session-cookie';

type CorrelatedRequest = SessionRequest & { correlationId?: string };

/** Login and logout of the operator console (docs/console.md). */
@ApiTags('console')
@Controller('console/api/session')
export class SessionController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly sessions: OperatorSessionsService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Public()
  @ApiOperation({ summary: 'Log in to the console: sets the session cookie and answers the CSRF token' })
  async login(@Body() dto: LoginDto, @Req() req: CorrelatedRequest, @Res({ passthrough: true }) res: Response) {
    // JSON only: another site's page can post a form (urlencoded) here, but not JSON without a CORS preflight we
    // never grant, so it cannot log a victim's browser in to the attacker's account (login CSRF).
    if (!req.is('application/json'))
      throw new AppException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the login as application/json');
    const correlationId = req.correlationId ?? 'none';
    const operator = await this.operators.verifyLogin(dto.username, dto.password, correlationId);
    const { token, session } = await this.sessions.open(operator, correlationId);
    res.setHeader('Set-Cookie', sessionCookie(token, this.sessions.maxAgeSeconds, this.config.env.CONSOLE_COOKIE_SECURE!));
    res.setHeader('Cache-Control', 'no-store');
    return this.view(session);
  }

  @Get()
  @ApiOperation({ summary: 'The current console session: operator, role, scopes and CSRF token' })
  current(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'no-store');
    return this.view(sessionOf(req));
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Log out: the session ends and the cookie is cleared' })
  async logout(@Req() req: CorrelatedRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.close(sessionOf(req), req.correlationId ?? 'none');
    res.setHeader('Set-Cookie', sessionCookie('', 0, this.config.env.CONSOLE_COOKIE_SECURE!));
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({ summary: "Change one's own password; the operator's other sessions end" })
  async changePassword(@Body() dto: ChangePasswordDto, @Req() req: CorrelatedRequest): Promise<void> {
    const s = sessionOf(req);
    await this.operators.changeOwnPassword(s.operator, dto.currentPassword, dto.newPassword, s.tokenHash, req.correlationId ?? 'none');
  }

  private view(s: ConsoleSession) {
    return {
      operator: operatorView(s.operator),
      csrfToken: s.csrfToken,
      expiresAt: s.expiresAt.toISOString(),
      idleTimeoutSeconds: this.sessions.idleTimeoutSeconds,
    };
  }
}

/** These routes are about the cookie session itself: an API key or bearer token has none. */
function sessionOf(req: Request): ConsoleSession {
  const s = (req as SessionRequest).consoleSession;
  if (!s) throw new AppException(ErrorCode.UNAUTHENTICATED, 'No console session: log in first');
  return s;
}
