import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { ParticipantsController } from './participants.controller';
import { ParticipantsRepository } from './participants.repository';
import { ParticipantsService } from './participants.service';
import { TokenController } from './token.controller';
import { TokenService } from './token.service';
import { OperatorsModule } from '../operators/operators.module';

@Global()
@Module({
  imports: [OperatorsModule],
  controllers: [TokenController, ParticipantsController],
  providers: [ParticipantsRepository, ParticipantsService, TokenService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ParticipantsService, OperatorsModule],
})
export class ParticipantsModule {}
