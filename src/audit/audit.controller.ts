import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/decorators/roles.decorator.js';
import { ApiErrors } from '../common/openapi/decorators.js';
import { Role } from '../common/role.enum.js';
import { AUDIT_ACTIONS, AuditService } from './audit.service.js';
import { AuditEventDto, AuditPageDto } from './dto/audit-event.dto.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@Roles(Role.Admin)
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditEvents',
    summary: 'Security and administration events, newest first',
    description: `Actions: ${AUDIT_ACTIONS.join(', ')}.`,
  })
  @ApiOkResponse({ type: AuditPageDto, description: 'One page of events' })
  @ApiErrors({ 400: 'Invalid page, limit, action or actorId, or an unknown parameter', 403: 'The caller is not an admin' })
  async list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list(query);
    return { ...page, items: page.items.map((event) => AuditEventDto.from(event)) };
  }
}
