import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiErrors, ApiUuidParam } from '../common/openapi/decorators.js';
import { AuthorsService } from './authors.service.js';
import { AuthorPageDto, AuthorResponseDto } from './dto/author-response.dto.js';
import { CreateAuthorDto } from './dto/create-author.dto.js';
import { ListAuthorsQueryDto } from './dto/list-authors-query.dto.js';
import { ReplaceAuthorDto } from './dto/replace-author.dto.js';
import { UpdateAuthorDto } from './dto/update-author.dto.js';

const NOT_FOUND = 'No such author among those the caller may see (another user’s author is not revealed)';
const BAD_ID = 'The id is not a UUID';
const DUPLICATE = 'The owner already has an author with this name and book (compared case-insensitively)';

@ApiTags('authors')
@Controller('authors')
export class AuthorsController {
  constructor(private readonly authors: AuthorsService) {}

  @Post()
  @ApiOperation({
    operationId: 'createAuthor',
    summary: 'Create an author owned by the caller',
    description: 'The pair (name, book) is unique per owner, compared case-insensitively. `bookerPrize` defaults to false.',
  })
  @ApiCreatedResponse({ type: AuthorResponseDto, description: 'The new author' })
  @ApiErrors({ 400: 'Missing or invalid fields, or fields that are not writable (id, ownerId, timestamps)', 409: DUPLICATE })
  async create(@CurrentUser() caller: AuthUser, @Body() dto: CreateAuthorDto): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.create(caller, dto));
  }

  @Get()
  @ApiOperation({
    operationId: 'listAuthors',
    summary: 'List the caller’s authors',
    description: 'Admins may pass ownerId to list another user’s authors; for anyone else ownerId is ignored and the list stays their own.',
  })
  @ApiOkResponse({ type: AuthorPageDto, description: 'One page of authors' })
  @ApiErrors({ 400: 'Invalid or unknown query parameters' })
  async list(@CurrentUser() caller: AuthUser, @Query() query: ListAuthorsQueryDto): Promise<AuthorPageDto> {
    const page = await this.authors.list(caller, query);
    return { ...page, items: page.items.map((author) => AuthorResponseDto.from(author)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getAuthor', summary: 'One author', description: 'The caller’s own author; admins may read any.' })
  @ApiUuidParam('id', 'The author id')
  @ApiOkResponse({ type: AuthorResponseDto, description: 'The author' })
  @ApiErrors({ 400: BAD_ID, 404: NOT_FOUND })
  async findOne(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.findOne(caller, id));
  }

  @Put(':id')
  @ApiOperation({ operationId: 'replaceAuthor', summary: 'Replace an author', description: 'Every writable field is required; the owner stays.' })
  @ApiUuidParam('id', 'The author id')
  @ApiOkResponse({ type: AuthorResponseDto, description: 'The replaced author' })
  @ApiErrors({ 400: `${BAD_ID}, or a missing, invalid or unknown field`, 404: NOT_FOUND, 409: DUPLICATE })
  async replace(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: ReplaceAuthorDto,
  ): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.replace(caller, id, dto));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateAuthor', summary: 'Change some fields of an author', description: 'Fields left out stay as they are; null is refused.' })
  @ApiUuidParam('id', 'The author id')
  @ApiOkResponse({ type: AuthorResponseDto, description: 'The updated author' })
  @ApiErrors({ 400: `${BAD_ID}, or an invalid, null or unknown field`, 404: NOT_FOUND, 409: DUPLICATE })
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateAuthorDto,
  ): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.update(caller, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteAuthor', summary: 'Delete an author', description: 'The caller’s own author; admins may delete any.' })
  @ApiUuidParam('id', 'The author id')
  @ApiNoContentResponse({ description: 'The author is deleted' })
  @ApiErrors({ 400: BAD_ID, 404: NOT_FOUND })
  remove(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.authors.remove(caller, id);
  }
}
