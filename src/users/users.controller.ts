import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Put, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Fresh } from '../common/decorators/fresh.decorator.js';
import { Roles } from '../common/decorators/roles.decorator.js';
import { Role } from '../common/role.enum.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserPageDto } from './dto/user-page.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: UserResponseDto })
  me(@CurrentUser() caller: AuthUser): UserResponseDto {
    // The session check read the caller's row in this very request.
    return caller.profile;
  }

  @Patch('me')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid name, or a field other than name' })
  async updateMe(@CurrentUser() caller: AuthUser, @Body() dto: UpdateMeDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.updateName(caller.id, dto.name));
  }

  @Fresh()
  @Put('me/password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password changed; every other session of the user is revoked' })
  @ApiBadRequestResponse({ description: 'The new password breaks the password policy' })
  @ApiUnauthorizedResponse({ description: 'Token not fresh (log in again), or the current password is wrong' })
  changePassword(@CurrentUser() caller: AuthUser, @Body() dto: ChangePasswordDto): Promise<void> {
    return this.users.changePassword(caller.id, caller.sessionId, dto.currentPassword, dto.newPassword);
  }

  @Fresh()
  @Delete('me')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The user, their authors and their sessions are deleted' })
  @ApiUnauthorizedResponse({ description: 'Token not fresh (log in again)' })
  @ApiConflictResponse({ description: 'The caller is the last active admin' })
  deleteMe(@CurrentUser() caller: AuthUser, @Req() request: FastifyRequest): Promise<void> {
    return this.users.remove(caller.id, caller.id, request.ip);
  }

  @Roles(Role.Admin)
  @Get()
  @ApiOperation({ summary: 'List users (admin)', description: 'Newest first; `q` matches the username, the name or the email address, case-insensitively' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiBadRequestResponse({ description: 'Invalid page, limit, status or q' })
  @ApiForbiddenResponse({ description: 'The caller is not an admin' })
  async list(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(query);
    return { ...page, items: page.items.map((user) => UserResponseDto.from(user)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user (admin, or the user itself)' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ description: 'The id is not a UUID' })
  @ApiForbiddenResponse({ description: 'Another user’s id, and the caller is not an admin' })
  @ApiNotFoundResponse({ description: 'No such user' })
  async findOne(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.getVisibleTo(caller, id));
  }

  @Roles(Role.Admin)
  @Patch(':id')
  @ApiOperation({
    summary: 'Approve, disable, enable, promote or demote a user (admin)',
    description: 'A body with `role` needs a fresh access token. Disabling revokes every session of the user at once.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid status or role, a non-UUID id, or any other field' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid token, or `role` sent with a token that is not fresh' })
  @ApiForbiddenResponse({ description: 'The caller is not an admin' })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'The change would leave no active admin' })
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateUserDto,
    @Req() request: FastifyRequest,
  ): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.updateByAdmin(caller, id, dto, request.ip));
  }

  @Roles(Role.Admin)
  @Fresh()
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user with their authors and sessions (admin)' })
  @ApiNoContentResponse({ description: 'The user, their authors and their sessions are deleted' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid token, or a token that is not fresh' })
  @ApiForbiddenResponse({ description: 'The caller is not an admin' })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'The user is the last active admin' })
  remove(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Req() request: FastifyRequest): Promise<void> {
    return this.users.remove(caller.id, id, request.ip);
  }
}
