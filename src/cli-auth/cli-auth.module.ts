import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CliAuthRequest } from './cli-auth-request.entity';
import { CliAuthApiController } from './cli-auth-api.controller';
import { CliAuthController } from './cli-auth.controller';
import { CliAuthService } from './cli-auth.service';

/** The browser log-in of the `devhub` CLI. Keys come from ApiKeysModule's service (global). */
@Module({
  imports: [TypeOrmModule.forFeature([CliAuthRequest])],
  controllers: [CliAuthApiController, CliAuthController],
  providers: [CliAuthService],
})
export class CliAuthModule {}
