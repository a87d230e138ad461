import { Body, Controller, Delete, Get, HttpCode, Patch, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Fresh } from '../common/decorators/fresh.decorator.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { UpdateMeDto } from './dto/update-me.dto.js';
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
  async me(@CurrentUser() caller: AuthUser): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.getById(caller.id));
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
  deleteMe(@CurrentUser() caller: AuthUser): Promise<void> {
    return this.users.remove(caller.id);
  }
}
