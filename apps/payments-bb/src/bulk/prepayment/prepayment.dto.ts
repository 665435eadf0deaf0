import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsOptional, IsString, Length } from 'class-validator';

export class PrepaymentCreditInstructionDoc {
  @ApiProperty({ minLength: 16, maxLength: 16, example: 'INS0000000000001' }) InstructionID: string;
  @ApiProperty({ maxLength: 20, example: 'FID00000000000000001', description: 'Resolved through the account mapper' })
  PayeeFunctionalID: string;
  @ApiProperty({ example: 150.5, description: "At most the currency's decimals; more is a failed instruction (AM12), never rounded" })
  Amount: number;
  @ApiProperty({ minLength: 3, maxLength: 3, example: 'TZS', description: "The program's currency" }) Currency: string;
  @ApiPropertyOptional({ minLength: 0, maxLength: 50 }) Narration?: string;
}

/**
 * api-v1 Prepaymentvalidation.yaml. The top level is checked here (a malformed one is a 400 with ResponseCode 01);
 * the instructions are checked one by one by the service, so a bad one fails alone.
 */
export class PrepaymentValidationRequestDto {
  @ApiProperty({ minLength: 12, maxLength: 12, example: 'RequestID111', description: 'Idempotency key, per source BB' })
  @IsString() @Length(12, 12)
  RequestID: string;

  @ApiProperty({ minLength: 12, maxLength: 12, example: 'SourceBBID11' })
  @IsString() @Length(12, 12)
  SourceBBID: string;

  @ApiProperty({ minLength: 12, maxLength: 12, example: 'BatchID00001', description: 'Sent to the payer FSP as the batchId of Bulk_ValidateAccount' })
  @IsString() @Length(12, 12)
  BatchID: string;

  @ApiProperty({ type: [PrepaymentCreditInstructionDoc], minItems: 1 })
  @IsArray() @ArrayNotEmpty()
  CreditInstructions: unknown[];
}

export class PrepaymentFailedInstructionDto {
  @ApiProperty({ example: 'INS0000000000001' }) InstructionID: string;
  @ApiProperty({ example: 'FID00000000000000001' }) PayeeFunctionalID: string;
  @ApiProperty({
    maxLength: 100,
    example: 'BE06 PayeeFunctionalID is not registered, or not active, in the account mapper',
    description: 'Starts with the ISO 20022 ExternalStatusReason1Code (CH16, AM03, AM05, AM12, BE06, AG01, AC01, or the payer FSP\'s, e.g. AC04)',
  })
  FailureReason: string;
}

export class PrepaymentValidationResponseDto {
  @ApiProperty({
    enum: ['00', '01'],
    description:
      '00: the check ran completely (failed instructions, if any, are listed). 01: account validation at the payer FSP could not be ' +
      'completed; the failures found so far are listed and the answer is not stored: retry with the same RequestID.',
  })
  ResponseCode: '00' | '01';

  @ApiProperty({ maxLength: 200 }) ResponseDescription: string;
  @ApiProperty({ minLength: 12, maxLength: 12 }) RequestID: string;
  @ApiProperty({ minLength: 12, maxLength: 12 }) BatchID: string;
  @ApiProperty() NumberOfFailedInstructions: number;
  @ApiProperty({ type: [PrepaymentFailedInstructionDto] }) FailedInstructions: PrepaymentFailedInstructionDto[];
}

export class PrepaymentValidationQueryDto {
  @ApiPropertyOptional({ minLength: 12, maxLength: 12, description: 'Required unless the caller is the source BB itself' })
  @IsOptional() @IsString() @Length(12, 12)
  SourceBBID?: string;
}
