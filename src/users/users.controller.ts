import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Put, Query, Req, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ClientThrottleGuard } from '../abuse/client-throttle.guard.js';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Fresh } from '../common/decorators/fresh.decorator.js';
import { Roles } from '../common/decorators/roles.decorator.js';
import { ApiErrors, ApiRateLimited, ApiUuidParam } from '../common/openapi/decorators.js';
import { Role } from '../common/role.enum.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { ListUsersQueryDto } from './dto/list-users-query.dto.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserPageDto } from './dto/user-page.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

const FRESH_401 = 'Missing, invalid, expired or revoked access token, or a token that is not fresh (log in again)';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ operationId: 'getMe', summary: 'The caller’s account', description: 'The user the access token belongs to.' })
  @ApiOkResponse({ type: UserResponseDto, description: 'The caller' })
  me(@CurrentUser() caller: AuthUser): UserResponseDto {
    // The session check read the caller's row in this very request.
    return caller.profile;
  }

  @Patch('me')
  @ApiOperation({ operationId: 'updateMe', summary: 'Change the caller’s display name', description: '`name: null` removes it.' })
  @ApiOkResponse({ type: UserResponseDto, description: 'The updated caller' })
  @ApiErrors({ 400: 'Invalid name, or a field other than name' })
  async updateMe(@CurrentUser() caller: AuthUser, @Body() dto: UpdateMeDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.updateName(caller.id, dto.name));
  }

  @Fresh()
  @UseGuards(ClientThrottleGuard)
  @Put('me/password')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'changePassword',
    summary: 'Change the caller’s password',
    description: 'Needs a fresh access token. Every other session of the user is revoked; wrong current passwords count toward the lockout.',
  })
  @ApiRateLimited('Locked after repeated wrong passwords (login and this route count together), or too many requests from this client; see Retry-After')
  @ApiNoContentResponse({ description: 'Password changed; every other session of the user is revoked' })
  @ApiErrors({
    400: 'Missing fields, a new password the policy refuses (the message says what to change), or an account without a password yet (made by an OpenID Connect login: it sets one with a reset link)',
    401: `${FRESH_401}, or the current password is wrong`,
  })
  changePassword(@CurrentUser() caller: AuthUser, @Body() dto: ChangePasswordDto, @Req() request: FastifyRequest): Promise<void> {
    return this.users.changePassword(caller.id, caller.sessionId, dto.currentPassword, dto.newPassword, request.ip);
  }

  @Fresh()
  @Delete('me')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteMe',
    summary: 'Delete the caller’s account',
    description: 'Needs a fresh access token. The user, their authors and their sessions are deleted.',
  })
  @ApiNoContentResponse({ description: 'The user, their authors and their sessions are deleted' })
  @ApiErrors({ 401: FRESH_401, 409: 'The caller is the last active admin' })
  deleteMe(@CurrentUser() caller: AuthUser, @Req() request: FastifyRequest): Promise<void> {
    return this.users.remove(caller.id, caller.id, request.ip);
  }

  @Roles(Role.Admin)
  @Get()
  @ApiOperation({
    operationId: 'listUsers',
    summary: 'List users (admin)',
    description: 'Newest first; `q` matches the username, the name or the email address, case-insensitively.',
  })
  @ApiOkResponse({ type: UserPageDto, description: 'One page of users' })
  @ApiErrors({ 400: 'Invalid page, limit, status or q, or an unknown parameter', 403: 'The caller is not an admin' })
  async list(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(query);
    return { ...page, items: page.items.map((user) => UserResponseDto.from(user)) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUser', summary: 'One user (admin, or the user itself)', description: 'Anyone may read their own account; admins may read any.' })
  @ApiUuidParam('id', 'The user id')
  @ApiOkResponse({ type: UserResponseDto, description: 'The user' })
  @ApiErrors({ 400: 'The id is not a UUID', 403: 'Another user’s id, and the caller is not an admin', 404: 'No such user' })
  async findOne(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.getVisibleTo(caller, id));
  }

  @Roles(Role.Admin)
  @Patch(':id')
  @ApiOperation({
    operationId: 'updateUser',
    summary: 'Approve, disable, enable, promote or demote a user (admin)',
    description:
      'A body with `role`, or with a `status` other than `active`, needs a fresh access token. Disabling revokes every session of the user at once.',
  })
  @ApiUuidParam('id', 'The user id')
  @ApiOkResponse({ type: UserResponseDto, description: 'The updated user' })
  @ApiErrors({
    400: 'Invalid status or role, a non-UUID id, or any other field',
    401: 'Missing or invalid token, or `role` or a disabling `status` sent with a token that is not fresh',
    403: 'The caller is not an admin',
    404: 'No such user',
    409: 'The change would leave no active admin',
  })
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
  @ApiOperation({
    operationId: 'deleteUser',
    summary: 'Delete a user with their authors and sessions (admin)',
    description: 'Needs a fresh access token.',
  })
  @ApiUuidParam('id', 'The user id')
  @ApiNoContentResponse({ description: 'The user, their authors and their sessions are deleted' })
  @ApiErrors({
    400: 'The id is not a UUID',
    401: FRESH_401,
    403: 'The caller is not an admin',
    404: 'No such user',
    409: 'The user is the last active admin',
  })
  remove(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Req() request: FastifyRequest): Promise<void> {
    return this.users.remove(caller.id, id, request.ip);
  }
}
