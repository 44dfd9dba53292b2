import { CanActivate, ExecutionContext, HttpException, NotFoundException, HttpStatus, Injectable, createParamDecorator } from '@nestjs/common';
import type { CurrentUser } from '../../auth/user.entity';
import type { AppRequest } from './request-types';

/** Turned into a 303 to /login?next=… by the exception filter. */
export class LoginRequiredException extends HttpException {
  constructor(readonly next: string) {
    super('Log in to continue.', HttpStatus.UNAUTHORIZED);
  }
}

@Injectable()
export class SignedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AppRequest>();
    if (!req.currentUser) throw new LoginRequiredException(req.method === 'GET' ? req.originalUrl : '/dashboard');
    return true;
  }
}

@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<AppRequest>();
    // everyone but an admin gets the same 404 as for a page that does not exist
    if (!req.currentUser?.isAdmin) throw new NotFoundException();
    return true;
  }
}

/** The signed-in user (pages behind SignedInGuard). */
export const Me = createParamDecorator((_: unknown, ctx: ExecutionContext): CurrentUser => {
  return ctx.switchToHttp().getRequest<AppRequest>().currentUser!;
});
