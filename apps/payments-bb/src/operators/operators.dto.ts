import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { OperatorStatus } from './operator';
import { OPERATOR_ROLES, OperatorRole } from './roles';

export class LoginDto {
  @ApiProperty() @IsString() @MaxLength(64) username: string;
  @ApiProperty() @IsString() @MaxLength(200) password: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @MaxLength(200) currentPassword: string;
  @ApiProperty({ minLength: 12, maxLength: 200 }) @IsString() @Length(12, 200) newPassword: string;
}

export class CreateOperatorDto {
  @ApiProperty({ pattern: '^[a-z0-9._-]{3,64}$' }) @IsString() @Matches(/^[a-z0-9._-]{3,64}$/) username: string;
  @ApiProperty() @IsString() @Length(1, 120) displayName: string;
  @ApiProperty({ enum: OPERATOR_ROLES }) @IsIn(OPERATOR_ROLES) role: OperatorRole;
  @ApiProperty({ minLength: 12, maxLength: 200 }) @IsString() @Length(12, 200) password: string;
}

export class UpdateOperatorDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 120) displayName?: string;
  @ApiPropertyOptional({ enum: OPERATOR_ROLES }) @IsOptional() @IsIn(OPERATOR_ROLES) role?: OperatorRole;
  @ApiPropertyOptional({ enum: ['active', 'disabled'] }) @IsOptional() @IsIn(['active', 'disabled']) status?: OperatorStatus;
  @ApiPropertyOptional({ minLength: 12, maxLength: 200 }) @IsOptional() @IsString() @Length(12, 200) password?: string;
}
