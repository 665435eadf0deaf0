import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsMinorUnits } from '../minor-units';

const ID12 = /^[A-Za-z0-9._:-]{1,12}$/;

/** billPaymentRequest.yml: the payer FI reports a payment it made. */
export class BillPaymentRequestDto {
  @ApiProperty({ maxLength: 12 })
  @IsString()
  @Matches(ID12)
  requestId: string;

  @ApiProperty({ maxLength: 12, description: 'The RequestID of the bill inquiry this payment follows' })
  @IsString()
  @Matches(ID12)
  billInquiryRequestId: string;

  @ApiProperty({ maxLength: 20 })
  @IsString()
  @MaxLength(20)
  billId: string;

  @ApiProperty({
    maxLength: 16,
    description: "The payer FI's reference of the money movement; a payment is recorded once per reference",
  })
  @IsString()
  @Matches(/^[A-Za-z0-9._:-]{1,16}$/)
  paymentReferenceID: string;

  @ApiPropertyOptional({
    description:
      'Extension: minor units paid, when not the whole amount due (part payment or more, as the biller allows)',
  })
  @IsOptional()
  @IsMinorUnits()
  amount?: number | string;

  @ApiPropertyOptional({ description: "Extension: the currency paid; must be the bill's" })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/)
  currency?: string;
}

/** markBillPpaymentResponse.yml: the biller's status of a mark-bill-paid advice, posted after it. */
export class AdviceStatusDto {
  @ApiProperty({ description: 'The requestID of the advice (the receipt number the server sent)' })
  @IsString()
  @MaxLength(20)
  requestId: string;

  @ApiProperty()
  @IsString()
  @MaxLength(20)
  billId: string;

  @ApiProperty({ enum: ['ACK', 'RJC'] })
  @IsIn(['ACK', 'RJC'])
  status: 'ACK' | 'RJC';

  @ApiPropertyOptional({ enum: ['Def', 'Dup', 'Und'] })
  @IsOptional()
  @IsIn(['Def', 'Dup', 'Und'])
  rejectReason?: 'Def' | 'Dup' | 'Und';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(16)
  paymentReferenceId?: string;
}

/** voucherRedemptionforBillPayment.yml */
export class VoucherBillPaymentDto {
  @ApiProperty({ maxLength: 12 })
  @IsString()
  @Matches(ID12)
  requestId: string;

  @ApiProperty({ maxLength: 12 })
  @IsString()
  @Matches(ID12)
  billInquiryRequestId: string;

  @ApiProperty({ maxLength: 20 })
  @IsString()
  @MaxLength(20)
  billId: string;

  @ApiPropertyOptional({
    description: 'As the payer FI saw the bill; the server checks against its own record of the inquiry',
  })
  @IsOptional()
  @IsObject()
  billDetails?: Record<string, unknown>;

  @ApiProperty({
    description:
      'The voucher number. The YAML calls it a hash, but only the server holds the key its vouchers are hashed with, so the number itself travels (over TLS) and is hashed on arrival; it is never stored or logged',
  })
  @IsString()
  @Matches(/^[0-9]{8,25}$/, { message: 'VoucherSecretHash must be the voucher number (digits)' })
  VoucherSecretHash: string;
}
