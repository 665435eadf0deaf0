import { Module } from '@nestjs/common';
import { OperatorsController } from './operators.controller';
import { OperatorsRepository } from './operators.repository';
import { OperatorsService } from './operators.service';
import { OperatorSessionsService } from './operator-sessions.service';
import { SessionController } from './session.controller';

/** Console operators and their sessions; the auth guard asks OperatorSessionsService about session cookies. */
@Module({
  controllers: [SessionController, OperatorsController],
  providers: [OperatorsRepository, OperatorsService, OperatorSessionsService],
  exports: [OperatorsService, OperatorSessionsService],
})
export class OperatorsModule {}
