import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Roles } from '../common/decorators/roles.decorator.js';
import { Role } from '../common/role.enum.js';
import { AUDIT_ACTIONS, AuditService } from './audit.service.js';
import { AuditEventDto, AuditPageDto } from './dto/audit-event.dto.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'Security and administration events, newest first',
    description: `Actions: ${AUDIT_ACTIONS.join(', ')}.`,
  })
  @ApiOkResponse({ type: AuditPageDto })
  @ApiBadRequestResponse({ description: 'Invalid page, limit, action or actorId' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
  @ApiForbiddenResponse({ description: 'The caller is not an admin' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list(query);
    return { ...page, items: page.items.map((event) => AuditEventDto.from(event)) };
  }
}
