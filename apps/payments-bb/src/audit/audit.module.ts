import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditQueryRepository } from './audit-query.repository';

@Module({ controllers: [AuditController], providers: [AuditQueryRepository] })
export class AuditModule {}
