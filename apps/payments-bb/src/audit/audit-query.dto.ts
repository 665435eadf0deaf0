import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class AuditQueryDto {
  @ApiPropertyOptional({ example: 'user:alice' }) @IsOptional() @IsString() @MaxLength(200) actorId?: string;
  @ApiPropertyOptional({ example: 'batch' }) @IsOptional() @IsString() @MaxLength(64) objectType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) objectId?: string;
  @ApiPropertyOptional({ example: 'bulk.batch.approve', description: 'Exact, or a prefix ending in * (bulk.batch.*)' })
  @IsOptional()
  @Matches(/^[a-z0-9_.:-]{1,100}\*?$/i, { message: 'action is letters, digits, . _ : - with an optional trailing *' })
  action?: string;
  @ApiPropertyOptional({ description: 'ISO 8601 time, inclusive' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'ISO 8601 time, exclusive' }) @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional({ default: 100, maximum: 500 }) @IsOptional() @Matches(/^[1-9][0-9]{0,2}$/) limit?: string;
  @ApiPropertyOptional({ description: 'Entries older than this ID (the nextBeforeId of the previous page)' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,18}$/)
  beforeId?: string;
}
