import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';

export type FieldErrors = Record<string, string>;

/** Thrown by services when input breaks a rule that only the database can check (taken e-mail …). */
export class FormError extends Error {
  constructor(readonly fields: FieldErrors) {
    super(Object.values(fields)[0] ?? 'Invalid input');
    this.name = 'FormError';
  }
}

function flatten(errors: ValidationError[], prefix = '', out: FieldErrors = {}): FieldErrors {
  for (const e of errors) {
    const key = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints && !out[key]) out[key] = Object.values(e.constraints)[0];
    if (e.children?.length) flatten(e.children, key, out);
  }
  return out;
}

/**
 * Validates an HTML form body against a class-validator DTO. Returns the typed value or the
 * first message for each bad field, so the page can show the form again with the input kept.
 */
export async function validateForm<T extends object>(
  dto: new () => T,
  body: unknown,
): Promise<{ value: T; errors: FieldErrors | null }> {
  const plain = typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : {};
  delete plain._csrf;
  const value = plainToInstance(dto, plain, { excludeExtraneousValues: false });
  const errors = await validate(value, { whitelist: true, forbidUnknownValues: false });
  return { value, errors: errors.length ? flatten(errors) : null };
}
