const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

/**
 * Text for HTML, SVG or XML, in element content or a quoted attribute: the five markup characters
 * plus ` and = (which some parsers treat as attribute syntax). Numeric references, so the result is
 * valid XML as well as HTML.
 */
export const escapeMarkup = (s: string): string => s.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]!);
