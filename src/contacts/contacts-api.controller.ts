import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { ApiPrincipal } from '../api-keys/api-keys.service';
import { envelope, ListQueryDto } from '../common/api/api-dtos';
import { ApiEndpoint } from '../common/api/api-endpoint.decorator';
import { Principal } from '../common/api/principal.decorator';
import { TagsService } from '../tags/tags.service';
import { ContactsService } from './contacts.service';
import { ContactInputDto } from './dto/contact-input.dto';
import {
  ContactListDto,
  ContactListQueryDto,
  ContactResponseDto,
  CreateFollowUpDto,
  FollowUpListDto,
  FollowUpListQueryDto,
  FollowUpResponseDto,
  InteractionListDto,
  InteractionResponseDto,
  UpdateContactDto,
  UpdateFollowUpDto,
} from './dto/contact-api.dto';
import { InteractionInputDto } from './dto/interaction-input.dto';
import { FollowUpsService } from './follow-ups.service';
import { InteractionsService } from './interactions.service';

@ApiTags('contacts')
@ApiEndpoint()
@Controller('api/contacts')
export class ContactsApiController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly tags: TagsService,
    private readonly interactions: InteractionsService,
  ) {}

  @Get()
  @ApiOkResponse({ type: ContactListDto })
  async list(@Principal() p: ApiPrincipal, @Query() q: ContactListQueryDto) {
    const { ids, unknown } = await this.tags.idsForNames(p.userId, q.tag ?? []);
    if (unknown.length) return envelope([], 0, q);
    const { items, total } = await this.contacts.list(p.userId, { q: q.q, tagIds: ids, sort: 'name', limit: q.limit, offset: q.offset });
    return envelope(items, total, q);
  }

  @Post()
  @ApiCreatedResponse({ type: ContactResponseDto })
  create(@Principal() p: ApiPrincipal, @Body() body: ContactInputDto) {
    return this.contacts.create(p.userId, body);
  }

  @Get(':id')
  @ApiOkResponse({ type: ContactResponseDto })
  get(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    return this.contacts.get(p.userId, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ContactResponseDto })
  update(@Principal() p: ApiPrincipal, @Param('id') id: string, @Body() body: UpdateContactDto) {
    return this.contacts.update(p.userId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    await this.contacts.remove(p.userId, id);
  }

  @Get(':id/interactions')
  @ApiOkResponse({ type: InteractionListDto })
  async interactionsOf(@Principal() p: ApiPrincipal, @Param('id') id: string, @Query() q: ListQueryDto) {
    const { items, total } = await this.interactions.listForContact(p.userId, id, q.limit, q.offset);
    return envelope(items, total, q);
  }

  @Post(':id/interactions')
  @ApiCreatedResponse({ type: InteractionResponseDto })
  logInteraction(@Principal() p: ApiPrincipal, @Param('id') id: string, @Body() body: InteractionInputDto) {
    return this.interactions.create(p.userId, id, body, p.timezone);
  }
}

@ApiTags('interactions')
@ApiEndpoint()
@Controller('api/interactions')
export class InteractionsApiController {
  constructor(private readonly interactions: InteractionsService) {}

  @Get()
  @ApiOkResponse({ type: InteractionListDto })
  async list(@Principal() p: ApiPrincipal, @Query() q: ListQueryDto) {
    const { items, total } = await this.interactions.list(p.userId, q.limit, q.offset);
    return envelope(items, total, q);
  }
}

@ApiTags('follow-ups')
@ApiEndpoint()
@Controller('api/follow-ups')
export class FollowUpsApiController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Get()
  @ApiOkResponse({ type: FollowUpListDto })
  async list(@Principal() p: ApiPrincipal, @Query() q: FollowUpListQueryDto) {
    const { items, total } = await this.followUps.list(p.userId, q.status, q.limit, q.offset);
    return envelope(items, total, q);
  }

  @Post()
  @ApiCreatedResponse({ type: FollowUpResponseDto })
  create(@Principal() p: ApiPrincipal, @Body() body: CreateFollowUpDto) {
    return this.followUps.create(p.userId, body.contactId, body, p.timezone);
  }

  @Patch(':id')
  @ApiOkResponse({ type: FollowUpResponseDto })
  update(@Principal() p: ApiPrincipal, @Param('id') id: string, @Body() body: UpdateFollowUpDto) {
    return this.followUps.update(p.userId, id, body, p.timezone);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    await this.followUps.remove(p.userId, id);
  }
}
