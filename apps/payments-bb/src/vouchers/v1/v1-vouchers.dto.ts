import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsDefined } from 'class-validator';

// Types are checked by the service, so that a wrong one gets the contract's own status (452, 456, 461...).

export class V1PreactivationDto {
  @ApiProperty({ example: '15.21' }) @IsDefined() voucher_amount: unknown;
  @ApiProperty({ example: 'KES' }) @IsDefined() voucher_currency: unknown;
  @ApiProperty({ example: 'Payment Voucher' }) @IsDefined() voucher_group: unknown;
  @ApiProperty({ example: 'bb-digital-registries' }) @IsDefined() Gov_Stack_BB: unknown;
}

export class V1PreactivationResponseDto {
  @ApiProperty({ description: 'The secret voucher number (16-25 digits)' }) voucher_number: string;
  @ApiProperty({ description: 'The public serial number, 16 digits' }) voucher_serial_number: string;
  @ApiProperty({ format: 'date-time' }) expiry_date_time: string;
}

export class V1ActivationDto {
  @ApiProperty({ type: 'integer', format: 'int64' }) @IsDefined() voucher_serial_number: unknown;
  @ApiProperty() @IsDefined() Gov_Stack_BB: unknown;
}

export class V1ResultDto {
  @ApiProperty() result_status: string;
}

export class V1RedemptionDto {
  @ApiProperty({ type: 'integer', format: 'int64', description: 'Also accepted as a digit string' })
  @IsDefined()
  voucher_number: unknown;
  @ApiPropertyOptional({ description: 'This server: when given, must be the voucher serial' })
  @Allow()
  voucher_serial_number?: unknown;
  @ApiProperty() @IsDefined() Gov_Stack_BB: unknown;
  @ApiProperty() @IsDefined() merchant_name: unknown;
  @ApiProperty({ description: "The merchant's account details as registered (its financial address)" })
  @IsDefined()
  merchant_bank_details: unknown;
  @ApiProperty() @IsDefined() merchant_voucher_group: unknown;
  @ApiProperty() @IsDefined() override: unknown;
}

export class V1RedemptionResponseDto {
  @ApiProperty({ enum: ['Redeemed', 'Pending'] }) result_status: string;
  @ApiProperty() transaction_id: string;
  @ApiProperty() voucher_serial_number: string;
  @ApiProperty() voucher_amount: string;
  @ApiProperty() voucher_currency: string;
}

export class V1StatusResponseDto {
  @ApiProperty({
    enum: [
      'Not Pre-Activated',
      'Pre-Activated',
      'Activated',
      'Suspended',
      'Blocked',
      'Purged',
      'Not Existing',
    ],
  })
  voucher_status: string;
  @ApiProperty() voucher_amount: string;
}

export class V1CancelDto {
  @ApiPropertyOptional({ description: 'Must match the path when given' })
  @Allow()
  voucherserialnumber?: unknown;
  @ApiProperty() @IsDefined() Gov_Stack_BB: unknown;
}

export class V1MessageDto {
  @ApiProperty() message: string;
}
