import { Body, Controller, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { actorOf, AppException, Ctx, ErrorCode, RequestContext, RequireScopes } from '@app/platform';
import { DIGIT_USER_TYPES, DigitUserType, userInfoView } from './digit-user';
import { DigitUsersRepository } from './digit-users.repository';
import { hashPassword } from './passwords';

const TENANT = /^[a-z][a-z0-9]*(\.[a-z0-9]+)?$/;

export class DigitRoleDto {
  @ApiProperty({ example: 'COLL_OPERATOR' })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/)
  code: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiProperty({ example: 'pb', description: 'A state-level tenant covers its cities' })
  @Matches(TENANT)
  tenantId: string;
}

export class CreateDigitUserDto {
  @ApiProperty({ example: 'pb' })
  @Matches(TENANT)
  tenantId: string;

  @ApiProperty({ example: 'integrator1' })
  @IsString()
  @Matches(/^[A-Za-z0-9._@-]{1,180}$/)
  userName: string;

  @ApiProperty({ description: 'At least 10 characters; stored as an scrypt hash' })
  @IsString()
  @MinLength(10)
  @MaxLength(200)
  password: string;

  @ApiProperty()
  @IsString()
  @MaxLength(200)
  name: string;

  @ApiProperty({ enum: DIGIT_USER_TYPES })
  @IsIn(DIGIT_USER_TYPES)
  type: DigitUserType;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[0-9]{10}$/)
  mobileNumber?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  emailId?: string;

  @ApiProperty({ type: [DigitRoleDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => DigitRoleDto)
  roles: DigitRoleDto[];
}

/** Operators create the DIGIT users integrators and counter staff log in as. */
@ApiTags('DIGIT')
@ApiSecurity('api-key')
@ApiBearerAuth()
@Controller('digit/users')
export class DigitUsersController {
  constructor(private readonly users: DigitUsersRepository) {}

  @Post()
  @RequireScopes('digit:admin')
  @ApiOperation({ summary: 'Create a DIGIT user (EMPLOYEE, CITIZEN, ...) with roles per tenant' })
  async create(@Ctx() ctx: RequestContext, @Body() dto: CreateDigitUserDto) {
    const user = await this.users.insert({
      tenantId: dto.tenantId,
      userName: dto.userName,
      passwordHash: await hashPassword(dto.password),
      name: dto.name,
      type: dto.type,
      mobileNumber: dto.mobileNumber ?? null,
      emailId: dto.emailId ?? null,
      roles: dto.roles.map((r) => ({ code: r.code, name: r.name ?? r.code, tenantId: r.tenantId })),
      createdBy: actorOf(ctx.principal).id,
    });
    if (!user)
      throw new AppException(
        ErrorCode.CONFLICT,
        `User ${dto.userName} (${dto.type}) already exists in ${dto.tenantId}`,
      );
    return userInfoView(user);
  }
}
