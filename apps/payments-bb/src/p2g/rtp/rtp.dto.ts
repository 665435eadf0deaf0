import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { IsIntegerId, IsMinorUnits } from '../minor-units';

const ID12 = /^[A-Za-z0-9._:-]{1,12}$/;

export class PayerFiDetailsDto {
  @ApiProperty({ example: 'KCBLKENX' })
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,11}$/)
  payerFIBIC: string;

  @ApiPropertyOptional({
    description:
      "The payer's account at the FI (personal data): passed on to the FI in payerRtpReq, not kept with the request to pay",
  })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  financialAddress?: string;
}

export class AliasDto {
  @ApiProperty({
    enum: ['00', '01', '02'],
    description: 'Kind of alias (e.g. 00 mobile number, 01 national ID, 02 other)',
  })
  @IsIn(['00', '01', '02'])
  aliasType: '00' | '01' | '02';

  @ApiProperty({ description: 'The functional ID the account mapper knows the payer by' })
  @IsString()
  @Matches(/^\S{1,30}$/)
  aliasId: string;
}

export class RtpBillDetailsDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(10)
  billerName?: string;

  @ApiProperty({ example: 150000, description: 'Minor units' })
  @IsMinorUnits()
  amount: number | string;

  @ApiPropertyOptional({ example: 'KES', description: "Defaults to the biller's first currency" })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/)
  currency?: string;
}

/** billerRtpReq.yml */
export class BillerRtpRequestDto {
  @ApiProperty({ maxLength: 12 })
  @IsString()
  @Matches(ID12)
  requestId: string;

  @ApiPropertyOptional({ description: "The biller's own number for the request (echoed back)" })
  @IsOptional()
  @IsIntegerId()
  rtpId?: number | string;

  @ApiProperty({ maxLength: 20 })
  @IsString()
  @MaxLength(20)
  billID: string;

  @ApiProperty({
    enum: ['00', '01'],
    description: '00: payerFiDetails name the FI; 01: the alias is looked up in the account mapper',
  })
  @IsIn(['00', '01'])
  requestType: '00' | '01';

  @ApiPropertyOptional({ type: PayerFiDetailsDto })
  @ValidateIf((o: BillerRtpRequestDto) => o.requestType === '00')
  @ValidateNested()
  @Type(() => PayerFiDetailsDto)
  payerFiDetails?: PayerFiDetailsDto;

  @ApiPropertyOptional({ type: AliasDto })
  @ValidateIf((o: BillerRtpRequestDto) => o.requestType === '01')
  @ValidateNested()
  @Type(() => AliasDto)
  alias?: AliasDto;

  @ApiProperty({ type: RtpBillDetailsDto })
  @ValidateNested()
  @Type(() => RtpBillDetailsDto)
  billDetails: RtpBillDetailsDto;
}

/** payerRtpResponse.yml */
export class PayerRtpResponseDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(ID12)
  RequestId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(12)
  txnId?: string;

  @ApiProperty({ description: 'The RTPId the server gave (rTPID of payerRtpReq)' })
  @IsIntegerId()
  rtpId: number | string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(30)
  billId?: string;

  @ApiProperty({ enum: ['00', '01'], description: '00 accepted by the payer, 01 rejected' })
  @IsIn(['00', '01'])
  rtpStatus: '00' | '01';

  @ApiPropertyOptional({ nullable: true, description: 'R rejected, E expired, W wrong details' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  rejectReason?: string | null;
}
