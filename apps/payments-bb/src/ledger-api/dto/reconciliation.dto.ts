import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ReconciliationQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format: 'json' | 'csv' = 'json';
}

export class CurrencySummaryDto {
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ description: 'Accounts in this currency' }) accounts: number;
  @ApiProperty({ example: '0.00', description: 'Σ (credits posted − debits posted); 0 when balanced' })
  postedNet: string;
  @ApiProperty({ example: '0.00', description: 'Σ (credits pending − debits pending); 0 when balanced' })
  pendingNet: string;
  @ApiProperty({ example: '0' }) postedNetMinor: string;
  @ApiProperty({ example: '0' }) pendingNetMinor: string;
  @ApiProperty() balanced: boolean;
}

export class DiscrepancyDto {
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String, description: 'Null for a currency-level sum' }) accountId:
    string | null;
  @ApiProperty({ nullable: true, type: String }) accountCode: string | null;
  @ApiProperty({
    enum: [
      'debitsPosted',
      'creditsPosted',
      'debitsPending',
      'creditsPending',
      'debitsPending.openReservations',
      'creditsPending.openReservations',
      'postedNet',
      'pendingNet',
    ],
    description:
      'A stored balance against its recomputation from transfers, a pending balance against the open ' +
      'reservations, or a currency sum against zero',
  })
  field: string;
  @ApiProperty({ example: '1000.01' }) stored: string;
  @ApiProperty({ example: '1000.00' }) recomputed: string;
  @ApiProperty({ example: '100001' }) storedMinor: string;
  @ApiProperty({ example: '100000' }) recomputedMinor: string;
}

export class ReconciliationReportDto {
  @ApiProperty() generatedAt: string;
  @ApiProperty() tenantId: string;
  @ApiProperty({ type: [CurrencySummaryDto] }) currencies: CurrencySummaryDto[];
  @ApiProperty({ type: [DiscrepancyDto] }) discrepancies: DiscrepancyDto[];
  @ApiProperty({ description: 'True when there is no discrepancy' }) ok: boolean;
}
