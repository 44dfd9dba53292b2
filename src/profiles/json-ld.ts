/**
 * JSON for a `<script type="application/ld+json">` block. JSON.stringify alone is not enough:
 * a `</script>` or `<!--` inside a string would end or confuse the script element, so every
 * `<`, `>` and `&` is written as a \u escape (still the same JSON), and so are U+2028/U+2029.
 */
export function serializeJsonLd(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
