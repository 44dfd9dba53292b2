import { Controller, Get, Param, Post, Req, Res, UploadedFile, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import type { CurrentUser } from '../auth/user.entity';
import { AppRequest, flash } from '../common/http/request-types';
import { Me, SignedInGuard } from '../common/http/signed-in.guard';
import { ImportError } from './import-export.errors';
import { IMPORT_MAX_BYTES } from './import-limits';
import { ImportUploadFilter } from './import-upload.filter';
import { previewPageModel, uploadPageModel } from './import-views';
import { ImportService, UploadedFileLike } from './import.service';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * Upload → preview → confirm. The upload form is multipart, which is parsed after the CSRF guard
 * has run, so its token travels in the form's action URL (`?_csrf=`).
 */
@Controller('settings/account/import')
@UseGuards(SignedInGuard)
export class ImportController {
  constructor(private readonly imports: ImportService) {}

  @Get()
  page(@Res() res: Response) {
    res.render('import-export/upload', uploadPageModel());
  }

  @Post()
  @UseFilters(ImportUploadFilter)
  // browsers send file names as UTF-8; busboy's default would read them as Latin-1
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 5, parts: 8 }, defParamCharset: 'utf8' }))
  async upload(@Me() me: CurrentUser, @UploadedFile() file: UploadedFileLike | undefined, @Res() res: Response) {
    const id = await this.imports.upload(me.id, file);
    res.redirect(303, `/settings/account/import/${id}`);
  }

  @Get(':id')
  @UseFilters(ImportUploadFilter)
  async preview(@Me() me: CurrentUser, @Param('id') id: string, @Res() res: Response) {
    res.render('import-export/preview', previewPageModel(await this.imports.preview(me.id, id)));
  }

  @Post(':id')
  @UseFilters(ImportUploadFilter)
  async confirm(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    try {
      const r = await this.imports.confirm(me.id, id);
      const parts = [`Imported ${plural(r.created, 'new contact')}`];
      if (r.updated) parts.push(`added details to ${plural(r.updated, 'existing contact')}`);
      flash(req, 'success', `${parts.join(' and ')}${r.skipped ? `; ${plural(r.skipped, 'row was', 'rows were')} skipped` : ''}.`);
      res.redirect(303, '/contacts');
    } catch (err) {
      // a failed import shows the same preview again (the file is still there), with what went wrong
      if (err instanceof ImportError && err.code === 'failed') {
        return res.status(err.getStatus()).render('import-export/preview', previewPageModel(await this.imports.preview(me.id, id), err.message));
      }
      throw err;
    }
  }

  @Post(':id/cancel')
  async cancel(@Me() me: CurrentUser, @Param('id') id: string, @Req() req: AppRequest, @Res() res: Response) {
    await this.imports.cancel(me.id, id);
    flash(req, 'info', 'Import cancelled. Nothing was imported and the uploaded file has been deleted.');
    res.redirect(303, '/settings/account#import');
  }
}
