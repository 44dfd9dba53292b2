import { Controller, Get, Query, Render, UseGuards } from '@nestjs/common';
import type { CurrentUser } from '../auth/user.entity';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { SearchService } from './search.service';

@Controller('search')
@UseGuards(SignedInGuard)
export class SearchController {
  constructor(private readonly search: SearchService) {}

  @Get()
  @Render('search/results')
  page(@Me() me: CurrentUser, @Query('q') q: unknown) {
    return this.search.viewModel(me, q);
  }
}
