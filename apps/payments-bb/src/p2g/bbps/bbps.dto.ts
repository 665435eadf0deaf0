import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsIntegerId, IsMinorUnits } from '../minor-units';

export class BillIdentifierDto {
  @ApiProperty({ example: 'consumerId' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,40}$/)
  identifierKey: string;

  @ApiProperty({ example: 'AY1234' })
  @IsString()
  @MaxLength(100)
  identifierValue: string;
}

export class BbpsPaymentDetailsDto {
  @ApiPropertyOptional({ description: 'Minor units, as the bill was shown' })
  @IsOptional()
  @IsMinorUnits()
  billAmount?: number | string;

  @ApiProperty({ description: 'Minor units paid' })
  @IsMinorUnits()
  amountPaid: number | string;

  @ApiProperty({ description: "The aggregator's transaction ID: a receipt is issued once per ID" })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,35}$/)
  transactionId: string;
}

/** BBPS BillPaymentAcknowledgement */
export class BbpsReceiptRequestDto {
  @ApiPropertyOptional({ description: "The aggregator's own bill number (echoed)" })
  @IsOptional()
  @IsIntegerId()
  systemBillId?: number | string;

  @ApiProperty({ description: 'The bill ID (as fetchBills gave it)' })
  @IsString()
  @MaxLength(20)
  partnerBillId: string;

  @ApiProperty({ type: BbpsPaymentDetailsDto })
  @ValidateNested()
  @Type(() => BbpsPaymentDetailsDto)
  paymentDetails: BbpsPaymentDetailsDto;
}
