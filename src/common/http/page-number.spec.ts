import { MAX_PAGE, parsePage } from './page-number';

describe('parsePage', () => {
  it('reads whole numbers from 1 to MAX_PAGE and shows page 1 for anything else', () => {
    expect(parsePage('3')).toBe(3);
    expect(parsePage(String(MAX_PAGE))).toBe(MAX_PAGE);
    for (const bad of [undefined, '', 'abc', '0', '-3', '2.5', '1e3', '99999999999999999999', String(MAX_PAGE + 1), ['1', '2']]) expect(parsePage(bad)).toBe(1);
  });
});
