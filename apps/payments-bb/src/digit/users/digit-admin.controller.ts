import { Body, Controller, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { DataSource } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { ParticipantsService } from '../../participants/participants.service';
import { formatId } from '../ids/id-format';
import { IdGenerator } from '../ids/id-generator';
import { ensureTenants } from '../tenants';

const TENANT = /^[a-z][a-z0-9]*(\.[a-z0-9]+)?$/;
export const DIGIT_EVENTS = [
  'digit.payment.create',
  'digit.payment.cancel',
  'digit.payment.dishonour',
  'digit.payment.remit',
];

export class IdFormatDto {
  @ApiProperty({ example: 'ws.receipt.id' })
  @IsString()
  @Matches(/^[!-~]{1,128}$/)
  idName: string;

  @ApiProperty({ example: 'WS/[CITY.CODE]/[fy:yyyy-yy]/[SEQ_WS_RCPT]' })
  @IsString()
  @MaxLength(200)
  format: string;
}

export class IdFormatsDto {
  @ApiProperty({ type: [IdFormatDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => IdFormatDto)
  formats: IdFormatDto[];
}

export class SubscriptionDto {
  @ApiProperty({ example: 'pb', description: 'DIGIT tenant; a state covers its cities' })
  @Matches(TENANT)
  tenantId: string;

  @ApiProperty({ description: "A participant of the operator's tenant that receives the events" })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/)
  participantCode: string;

  @ApiProperty()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(500)
  url: string;

  @ApiProperty({ enum: DIGIT_EVENTS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(DIGIT_EVENTS, { each: true })
  events: string[];
}

/** Operators set a DIGIT tenant's ID formats and who hears of its payments. */
@ApiTags('DIGIT')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('digit')
export class DigitAdminController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly ids: IdGenerator,
    private readonly participants: ParticipantsService,
    private readonly callbacks: CallbacksService,
  ) {}

  @Put('id-formats/:tenantId')
  @RequireScopes('digit:admin')
  @ApiOperation({
    summary:
      'Set ID formats (billnumberid, receipt.id, <service>.receipt.id, collection.transactionno) of a DIGIT tenant',
  })
  async setFormats(@Param('tenantId') tenantId: string, @Body() dto: IdFormatsDto) {
    if (!TENANT.test(tenantId)) throw new AppException(ErrorCode.VALIDATION_FAILED, 'Invalid DIGIT tenant');
    for (const f of dto.formats)
      await formatId(f.format, { tenantId, module: 'X', next: () => Promise.resolve(1n) }).catch(
        (e: Error) => {
          throw new AppException(ErrorCode.VALIDATION_FAILED, `${f.idName}: ${e.message}`);
        },
      );
    await this.ds.transaction(async (m) => {
      await ensureTenants(m, [tenantId]);
      await this.ids.setFormats(m, tenantId, dto.formats);
    });
    return { tenantId, formats: dto.formats };
  }

  @Post('subscriptions')
  @RequireScopes('digit:admin')
  @ApiOperation({
    summary:
      'Deliver payment events of a DIGIT tenant to a participant (callbacks: signed, retried, recorded)',
  })
  async subscribe(@Ctx() ctx: RequestContext, @Body() dto: SubscriptionDto) {
    const p = await this.participants.findActive(ctx.principal.tenantId, dto.participantCode, [
      'source_bb',
      'biller',
      'fsp',
      'registration_bb',
      'information_mediator',
      'merchant_gateway',
    ]);
    if (!p) throw new AppException(ErrorCode.NOT_FOUND, `No active participant ${dto.participantCode}`);
    await this.callbacks.assertUrlAllowed(p.tenantId, p.id, dto.url);
    const [row] = (await this.ds.query(
      `INSERT INTO digit_subscriptions (tenant_id, participant_id, url, events) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, participant_id, url) DO UPDATE SET events = EXCLUDED.events RETURNING id`,
      [dto.tenantId, p.id, dto.url, dto.events],
    )) as { id: string }[];
    return { id: row.id, ...dto };
  }
}
