import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BATCH_STATES, BatchState } from '../domain/batch-state';
import { INSTRUCTION_STATES, InstructionState, IsoStatus } from '../domain/instruction-state';

const ISO_STATUSES: IsoStatus[] = ['PDNG', 'ACCP', 'ACSC', 'RJCT'];

/** Exact decimal strings in the batch currency (the JSON numbers beside them are for GovStack clients). */
export class BatchAmountsDto {
  @ApiProperty({ example: '150.75', description: 'Every instruction with a valid amount' }) total: string;
  @ApiProperty() completed: string;
  @ApiProperty({ description: 'Rejected at intake, unresolved, failed at the FSP or cancelled' })
  failed: string;
  @ApiProperty() ongoing: string;
  @ApiProperty({ description: 'Still reserved on the funding account' }) reserved: string;
  @ApiProperty({ description: 'Paid out (posted from the reservation)' }) posted: string;
  @ApiProperty({ description: 'Given back to the funding account' }) released: string;
}

export class BatchStatusCountsDto {
  @ApiProperty() PDNG: number;
  @ApiProperty() ACCP: number;
  @ApiProperty() ACSC: number;
  @ApiProperty() RJCT: number;
}

export class SubBatchCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() pending: number;
  @ApiProperty() submitting: number;
  @ApiProperty() submitted: number;
  @ApiProperty() completed: number;
  @ApiProperty() rejected: number;
}

/** BulkPaymentStatusUpdate.yml's totals (the final callback's numbers), plus exact amounts and progress. */
export class BatchSummaryDto {
  @ApiProperty({ format: 'uuid' }) batchId: string;
  @ApiProperty({ nullable: true, type: String, description: "The client's v1 BatchID" }) externalBatchId:
    string | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty() programCode: string;
  @ApiProperty({ enum: BATCH_STATES }) status: BatchState;
  @ApiProperty({ nullable: true, type: String }) statusReason: string | null;
  @ApiProperty() currency: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String }) approvedBy: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) approvedAt: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt: string | null;
  @ApiProperty() TotalTransactions: number;
  @ApiProperty() completed: number;
  @ApiProperty({ description: 'Every RJCT instruction, whatever stage refused it' }) failed: number;
  @ApiProperty() ongoing: number;
  @ApiProperty({ format: 'float' }) totalAmount: number;
  @ApiProperty({ format: 'float' }) completed_amount: number;
  @ApiProperty({ format: 'float' }) failed_amount: number;
  @ApiProperty({ format: 'float' }) ongoing_amount: number;
  @ApiProperty({ type: BatchAmountsDto }) amounts: BatchAmountsDto;
  @ApiProperty({ type: BatchStatusCountsDto }) byStatus: BatchStatusCountsDto;
  @ApiProperty({
    description: 'Instructions whose payee appears more than once in the batch (flagged, still paid)',
  })
  duplicatePayees: number;
  @ApiProperty({ type: SubBatchCountsDto }) subBatches: SubBatchCountsDto;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) retryOf: string | null;
  @ApiProperty({ description: 'Path of the CSV report of every instruction' }) result_file: string;
}

/** One element of BatchDetails.yml's array, plus the reason code, FSP reference and duplicate-payee flag. */
export class BatchDetailItemDto {
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The sub-batch that carried it' })
  workflowInstanceKey: string | null;
  @ApiProperty({ description: 'The InstructionID' }) transactionId: string;
  @ApiProperty({ format: 'date-time', description: 'When the batch was received' }) startedAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt: string | null;
  @ApiProperty({ enum: ISO_STATUSES }) status: IsoStatus;
  @ApiProperty({ enum: INSTRUCTION_STATES }) statusDetail: InstructionState;
  @ApiProperty({ nullable: true, type: String }) payeeDfspId: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The payee functional ID; never the financial address (null for a direct-address instruction)',
  })
  payeePartyId: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'FUNCTIONAL_ID',
    description: 'FUNCTIONAL_ID, ACCOUNT, MSISDN, WALLET or ALIAS',
  })
  payeePartyIdType: string | null;
  @ApiProperty({ format: 'float' }) payeeFee: number;
  @ApiProperty() payeeFeeCurrency: string;
  @ApiProperty() payerDfspId: string;
  @ApiProperty() payerPartyId: string;
  @ApiProperty() payerPartyIdType: string;
  @ApiProperty({ format: 'float' }) payerFee: number;
  @ApiProperty() payerFeeCurrency: string;
  @ApiProperty({
    nullable: true,
    type: Number,
    format: 'float',
    description: 'Null when the amount sent was not valid',
  })
  amount: number | null;
  @ApiProperty({ nullable: true, type: String }) currency: string | null;
  @ApiProperty({ example: 'OUTGOING' }) direction: string;
  @ApiProperty({ nullable: true, type: String, example: 'BE06 PayeeFunctionalID is not registered' })
  errorInformation: string | null;
  @ApiProperty({ format: 'uuid' }) batchId: string;
  @ApiProperty({ nullable: true, type: String, description: 'ISO 20022 ExternalStatusReason1Code' })
  reasonCode: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The payer FSP's reference" }) fspReference:
    string | null;
  @ApiProperty() duplicatePayee: boolean;
}

export class InstructionStatusDto extends BatchDetailItemDto {
  @ApiPropertyOptional({
    description:
      'Present when the InstructionID occurs more than once in the batch (the later ones were refused as duplicates)',
  })
  occurrences?: number;
}

export class BatchListItemDto {
  @ApiProperty({ format: 'uuid' }) batchId: string;
  @ApiProperty({ nullable: true, type: String }) externalBatchId: string | null;
  @ApiProperty({ format: 'uuid' }) sourceBbId: string;
  @ApiProperty() programCode: string;
  @ApiProperty({ enum: BATCH_STATES }) status: BatchState;
  @ApiProperty({ nullable: true, type: String }) statusReason: string | null;
  @ApiProperty() instructionCount: number;
  @ApiProperty() currency: string;
  @ApiProperty({
    description: 'Sum of the instructions that passed validation and resolution (decimal string)',
  })
  readyAmount: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) completedAt: string | null;
}

export class BatchListDto {
  @ApiProperty({ type: [BatchListItemDto] }) items: BatchListItemDto[];
  @ApiProperty() limit: number;
  @ApiProperty() offset: number;
}
