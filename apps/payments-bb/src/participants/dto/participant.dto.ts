import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { PARTICIPANT_KINDS, ParticipantKind, SCOPES } from '@app/platform';

const URL_OPTS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateParticipantDto {
  @ApiProperty({ example: 'SourceBBID11', description: 'Code the participant is known by in API calls (e.g. SourceBBID)' })
  @IsString() @Matches(/^[A-Za-z0-9._:-]{1,64}$/)
  code: string;

  @ApiPropertyOptional({ example: 'Ministry of Social Protection' })
  @IsOptional() @IsString() @MaxLength(200)
  name?: string;

  @ApiProperty({ enum: PARTICIPANT_KINDS })
  @IsIn(PARTICIPANT_KINDS)
  kind: ParticipantKind;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true, description: "Defaults to the kind's scopes" })
  @IsOptional() @IsArray() @IsIn(SCOPES, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ type: [String], example: ['https://registry.example.gov/callbacks/'] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUrl(URL_OPTS, { each: true }) @MaxLength(500, { each: true })
  callbackBases?: string[];
}

export class UpdateParticipantDto {
  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @IsOptional() @IsIn(['active', 'disabled'])
  status?: 'active' | 'disabled';

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional() @IsString() @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true })
  @IsOptional() @IsArray() @IsIn(SCOPES, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional() @IsArray() @ArrayMaxSize(20) @IsUrl(URL_OPTS, { each: true }) @MaxLength(500, { each: true })
  callbackBases?: string[];
}

export class PageQueryDto {
  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit = 50;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  offset = 0;
}
