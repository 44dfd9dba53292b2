import { jsonDepth, MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

describe('jsonDepth', () => {
  it('counts nesting of objects and arrays, not brackets inside strings', () => {
    expect(jsonDepth(Buffer.from('{"a":[1,{"b":2}]}'))).toBe(3);
    expect(jsonDepth(Buffer.from('{"a":"[[[[{{{{\\"[["}'))).toBe(1);
    expect(jsonDepth(Buffer.from('7'))).toBe(0);
  });

  it('refuses a body deeper than the limit with a 400', () => {
    const deep = Buffer.from('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1));
    expect(() => refuseDeepJson(null, null, deep)).toThrow(expect.objectContaining({ status: 400, type: 'entity.too.deep' }));
    expect(() => refuseDeepJson(null, null, Buffer.from('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)))).not.toThrow();
  });
});
