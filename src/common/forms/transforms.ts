import { Transform } from 'class-transformer';

/** Trims strings; an empty field becomes null (forms send "" for untouched inputs). */
export const TrimOrNull = () =>
  Transform(({ value }) => {
    if (value === undefined) return undefined;
    if (value === null) return null;
    if (typeof value !== 'string') return value;
    const v = value.trim();
    return v === '' ? null : v;
  });

export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Checkbox / JSON boolean: "on", "true", "1", true → true; missing → false. */
export const CheckboxBoolean = () =>
  Transform(({ value, obj, key }) => {
    let raw = value ?? (obj as Record<string, unknown>)[key];
    // a hidden "false" before the checkbox makes an unchecked box explicit: take the last value
    if (Array.isArray(raw)) raw = raw[raw.length - 1];
    if (typeof raw === 'boolean') return raw;
    if (raw === undefined || raw === null || raw === '') return false;
    if (typeof raw === 'string' && ['on', 'true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (typeof raw === 'string' && ['off', 'false', '0', 'no'].includes(raw.toLowerCase())) return false;
    return raw;
  });

/** "12" → 12, "" → null; anything else is left for the validator to refuse. */
export const IntOrNull = () =>
  Transform(({ value }) => {
    if (value === undefined) return undefined;
    if (value === null || value === '') return null;
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
    return value;
  });
