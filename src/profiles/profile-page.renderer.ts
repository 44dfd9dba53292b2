import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import hbs from 'hbs';
import type Handlebars from 'handlebars';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';

// src/profiles under jest, dist/src/profiles when built
const ROOT = __dirname.endsWith(join('dist', 'src', 'profiles')) ? join(__dirname, '..', '..', '..') : join(__dirname, '..', '..');
export const PROFILE_VIEWS_DIR = join(ROOT, 'views');

/** Registers views/profiles/partials/*.hbs as `profiles/<name>` (the shared loader only reads views/partials). */
export function registerProfilePartials(handlebars: typeof Handlebars, viewsDir = PROFILE_VIEWS_DIR): void {
  const dir = join(viewsDir, 'profiles', 'partials');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    handlebars.registerPartial(`profiles/${file.replace(/\.hbs$/, '')}`, readFileSync(join(dir, file), 'utf8'));
  }
}

/** The public page is a whole document (no app layout): compiled once, rendered straight to a string. */
export function compileProfilePage(handlebars: typeof Handlebars, viewsDir = PROFILE_VIEWS_DIR): Handlebars.TemplateDelegate {
  return handlebars.compile(readFileSync(join(viewsDir, 'profiles', 'page.hbs'), 'utf8'));
}

/**
 * Renders `/@username` without Express's view lookup. In production the template is compiled once;
 * elsewhere it is read again on every render, like the rest of the views, so edits show at once.
 */
@Injectable()
export class ProfilePageRenderer implements OnModuleInit {
  private compiled: Handlebars.TemplateDelegate | null = null;
  private readonly handlebars = hbs.handlebars as unknown as typeof Handlebars;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit() {
    registerProfilePartials(this.handlebars);
  }

  render(model: object): string {
    if (!this.config.isProduction) {
      registerProfilePartials(this.handlebars);
      return compileProfilePage(this.handlebars)(model);
    }
    this.compiled ??= compileProfilePage(this.handlebars);
    return this.compiled(model);
  }

  /** A partial on its own (the editor's live preview). */
  renderPartial(name: string, model: object): string {
    if (!this.config.isProduction) registerProfilePartials(this.handlebars);
    const partial = this.handlebars.partials[`profiles/${name}`];
    const template = typeof partial === 'function' ? partial : this.handlebars.compile(partial as string);
    return (template as Handlebars.TemplateDelegate)(model);
  }
}
