import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
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
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
@Controller('authors')
export class AuthorsController {
  constructor(private readonly authors: AuthorsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an author owned by the caller' })
  @ApiCreatedResponse({ type: AuthorResponseDto })
  @ApiBadRequestResponse({ description: 'Missing or invalid fields, or fields that are not writable (id, ownerId, timestamps)' })
  @ApiConflictResponse({ description: DUPLICATE })
  async create(@CurrentUser() caller: AuthUser, @Body() dto: CreateAuthorDto): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.create(caller, dto));
  }

  @Get()
  @ApiOperation({
    summary: 'List the caller’s authors',
    description: 'Admins may pass ownerId to list another user’s authors; for anyone else ownerId is ignored and the list stays their own.',
  })
  @ApiOkResponse({ type: AuthorPageDto })
  @ApiBadRequestResponse({ description: 'Invalid or unknown query parameters' })
  async list(@CurrentUser() caller: AuthUser, @Query() query: ListAuthorsQueryDto): Promise<AuthorPageDto> {
    const page = await this.authors.list(caller, query);
    return { ...page, items: page.items.map((author) => AuthorResponseDto.from(author)) };
  }

  @Get(':id')
  @ApiOkResponse({ type: AuthorResponseDto })
  @ApiBadRequestResponse({ description: BAD_ID })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  async findOne(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.findOne(caller, id));
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace an author (every field required)' })
  @ApiOkResponse({ type: AuthorResponseDto })
  @ApiBadRequestResponse({ description: `${BAD_ID}, or a missing, invalid or unknown field` })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: DUPLICATE })
  async replace(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: ReplaceAuthorDto,
  ): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.replace(caller, id, dto));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of an author' })
  @ApiOkResponse({ type: AuthorResponseDto })
  @ApiBadRequestResponse({ description: `${BAD_ID}, or an invalid, null or unknown field` })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: DUPLICATE })
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateAuthorDto,
  ): Promise<AuthorResponseDto> {
    return AuthorResponseDto.from(await this.authors.update(caller, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The author is deleted' })
  @ApiBadRequestResponse({ description: BAD_ID })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  remove(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.authors.remove(caller, id);
  }
}
