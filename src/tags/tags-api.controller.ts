import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import type { ApiPrincipal } from '../api-keys/api-keys.service';
import { envelope, ListOf, ListQueryDto } from '../common/api/api-dtos';
import { ApiEndpoint } from '../common/api/api-endpoint.decorator';
import { Principal } from '../common/api/principal.decorator';
import { AddTagDto, ContactResponseDto, TagRefDto } from '../contacts/dto/contact-api.dto';
import { ContactsService } from '../contacts/contacts.service';
import { TagsService } from './tags.service';

export class TagResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() contactCount: number;
}

export class TagListDto extends ListOf(TagResponseDto, 'TagListDto') {}

export class CreateTagDto {
  @ApiProperty({ maxLength: 50, example: 'rust' })
  @IsString()
  @MaxLength(50)
  name: string;
}

@ApiTags('tags')
@ApiEndpoint()
@Controller('api')
export class TagsApiController {
  constructor(
    private readonly tags: TagsService,
    private readonly contacts: ContactsService,
  ) {}

  @Get('tags')
  @ApiOkResponse({ type: TagListDto })
  async list(@Principal() p: ApiPrincipal, @Query() q: ListQueryDto) {
    const { items, total } = await this.tags.page(p.userId, q.limit, q.offset);
    return envelope(items, total, q);
  }

  @Post('tags')
  @ApiCreatedResponse({ type: TagResponseDto })
  create(@Principal() p: ApiPrincipal, @Body() body: CreateTagDto) {
    return this.tags.create(p.userId, body.name);
  }

  @Delete('tags/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; the contacts keep everything else' })
  async remove(@Principal() p: ApiPrincipal, @Param('id') id: string) {
    await this.tags.remove(p.userId, id);
  }

  @Post('contacts/:id/tags')
  @ApiCreatedResponse({ type: ContactResponseDto, description: 'The contact with its tags' })
  async add(@Principal() p: ApiPrincipal, @Param('id') id: string, @Body() body: AddTagDto) {
    await this.tags.addToContact(p.userId, id, body.tag);
    return this.contacts.get(p.userId, id);
  }

  @Delete('contacts/:id/tags/:tagId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed' })
  async removeFromContact(@Principal() p: ApiPrincipal, @Param('id') id: string, @Param('tagId') tagId: string) {
    await this.tags.removeFromContact(p.userId, id, tagId);
  }
}

export { TagRefDto };
