import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';

const URL_OPTS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class RegisterPayerFiDto {
  @ApiProperty({
    example: 'KCBLKENX',
    description: 'Participant code: an existing FSP client is linked, else one is created',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/)
  code: string;

  @ApiPropertyOptional({ example: 'KCB Bank Kenya' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiProperty({
    example: 'KCBLKENX',
    description: 'BIC billers name in requests to pay (payerFIBIC), and the account mapper holds',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,11}$/)
  bic: string;

  @ApiProperty({
    example: 'https://p2g.kcb.example/pbb',
    description: 'Where POST /rtpRequest and POST /billTransferRequests go',
  })
  @IsUrl(URL_OPTS)
  @MaxLength(500)
  baseUrl: string;
}

export class UpdatePayerFiDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUrl(URL_OPTS)
  @MaxLength(500)
  baseUrl?: string;

  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';
}
