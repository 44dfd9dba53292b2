import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { sendDownload } from './download';
import { ExportService } from './export.service';

@Controller('settings/account/export')
@UseGuards(SignedInGuard)
export class ExportController {
  constructor(private readonly exports: ExportService) {}

  @Get('contacts.csv')
  csv(@Me() me: CurrentUser, @Res() res: Response) {
    return sendDownload(res, this.exports.contactsCsv(me.id, me.timezone));
  }

  @Get('contacts.vcf')
  vcf(@Me() me: CurrentUser, @Res() res: Response) {
    return sendDownload(res, this.exports.contactsVcf(me.id, me.timezone));
  }

  @Get('devhub.json')
  json(@Me() me: CurrentUser, @Res() res: Response) {
    return sendDownload(res, this.exports.accountJson(me.id, me.timezone));
  }
}

/** `/contacts/:id/vcard`: two path segments, so it never competes with ContactsController's `GET contacts/:id`. */
@Controller('contacts')
@UseGuards(SignedInGuard)
export class ContactVCardController {
  constructor(private readonly exports: ExportService) {}

  @Get(':id/vcard')
  async vcard(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    await sendDownload(res, await this.exports.contactVcf(me.id, id));
  }
}
