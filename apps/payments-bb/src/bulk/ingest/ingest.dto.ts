import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsString, Length } from 'class-validator';

export class V1CreditInstructionDto {
  @ApiProperty({ minLength: 16, maxLength: 16, example: 'INS0000000000001' }) InstructionID: string;
  @ApiProperty({ maxLength: 20, example: 'FID00000000000000001' }) PayeeFunctionalID: string;
  @ApiProperty({ example: 150.5, description: 'At most the currency\'s decimals; more is refused, never rounded' }) Amount: number;
  @ApiProperty({ example: 'TZS' }) Currency: string;
  @ApiPropertyOptional({ maxLength: 50 }) Narration?: string;
}

/** api-v1 bulkpayment.yaml. Items are checked one by one by the ingest (a bad item fails alone). */
export class V1BulkPaymentDto {
  @ApiProperty({ minLength: 12, maxLength: 12 })
  @IsString() @Length(12, 12)
  RequestID: string;

  @ApiProperty({ minLength: 12, maxLength: 12 })
  @IsString() @Length(12, 12)
  SourceBBID: string;

  @ApiProperty({ minLength: 12, maxLength: 12, description: 'Unique per source BB: a second batch with this ID is the same batch' })
  @IsString() @Length(12, 12)
  BatchID: string;

  @ApiProperty({ type: [V1CreditInstructionDto] })
  @IsArray() @ArrayNotEmpty()
  CreditInstructions: Record<string, unknown>[];
}

export class V1BulkPaymentResponseDto {
  @ApiProperty({ enum: ['00', '01'] }) ResponseCode: string;
  @ApiProperty() ResponseDescription: string;
  @ApiProperty() RequestID: string;
  @ApiProperty({ description: 'Extension: the BatchID received' }) BatchID: string;
  @ApiProperty({ description: 'Extension: the Payments BB batch ID, for status queries' }) PaymentsBatchID: string;
}

export class V3CreditPartyDto {
  @ApiProperty({ example: 'msisdn', description: 'functionalId (resolved through the account mapper), msisdn, accountNumber, iban, walletId, alias; institutionCode names the payee FSP' })
  key: string;
  @ApiProperty() value: string;
}

export class V3CreditInstructionDto {
  @ApiProperty({ maxLength: 16 }) requestId: string;
  @ApiProperty({ type: [V3CreditPartyDto] }) creditParty: V3CreditPartyDto[];
  @ApiProperty({ type: [V3CreditPartyDto], description: 'Accepted, not used: the program decides who pays' }) debitParty: V3CreditPartyDto[];
  @ApiProperty({ maxLength: 20 }) paymentMode: string;
  @ApiProperty({ example: '150.50', description: 'Decimal string or JSON number' }) amount: string;
  @ApiProperty() currency: string;
  @ApiPropertyOptional({ maxLength: 50 }) descriptionText?: string;
}

export class V3BatchAcceptedDto {
  @ApiProperty() batchId: string;
  @ApiProperty({ example: '/api/v1/batch/summary?batchId=...' }) pollingPath: string;
  @ApiProperty({ description: 'Instructions refused by the field rules at once (others may fail later)' }) rejectedAtIntake: number;
}
