import { csvField, csvRow, CsvSyntaxError, CsvTooManyRowsError, parseCsv, unguardFormula } from './csv';

describe('parseCsv (RFC 4180)', () => {
  it('splits plain records on commas and CRLF, LF or CR line ends', () => {
    expect(parseCsv('a,b,c\r\n1,2,3\n4,5,6\r7,8,9').rows).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '5', '6'],
      ['7', '8', '9'],
    ]);
  });

  it('keeps commas, doubled quotes and line breaks inside quoted fields, and counts lines', () => {
    const text = 'name,notes\r\n"Lovelace, Ada","She said ""hi""\r\nand left"\r\nGrace,"one\ntwo\nthree"\r\nLinus,plain\r\n';
    const { rows, lines } = parseCsv(text);
    expect(rows).toEqual([
      ['name', 'notes'],
      ['Lovelace, Ada', 'She said "hi"\r\nand left'],
      ['Grace', 'one\ntwo\nthree'],
      ['Linus', 'plain'],
    ]);
    // records start on lines 1, 2, 4 and 7
    expect(lines).toEqual([1, 2, 4, 7]);
  });

  it('drops a byte-order mark, blank lines and the final line break; keeps empty fields', () => {
    const { rows, lines } = parseCsv('\uFEFFa,b,\r\n\r\n,,\r\n\r\n');
    expect(rows).toEqual([
      ['a', 'b', ''],
      ['', '', ''],
    ]);
    expect(lines).toEqual([1, 3]);
  });

  it('reads an empty quoted field and a quoted field at the end without a line break', () => {
    expect(parseCsv('"",x,"last"').rows).toEqual([['', 'x', 'last']]);
  });

  it('keeps a stray quote inside an unquoted field as text', () => {
    expect(parseCsv('Monitor 27",ok').rows).toEqual([['Monitor 27"', 'ok']]);
  });

  it('names the line where a never-closed quote opened', () => {
    let error: unknown;
    try {
      parseCsv('a,b\n1,2\n3,"oops\n4,5\n');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(3);
    expect((error as Error).message).toContain('line 3');
  });

  it('supports other delimiters', () => {
    expect(parseCsv('a;b\t;c\n"x;y";z', { delimiter: ';' }).rows).toEqual([
      ['a', 'b\t', 'c'],
      ['x;y', 'z'],
    ]);
  });

  it('stops after a number of records, or refuses too many', () => {
    const text = Array.from({ length: 50 }, (_, i) => `row${i}`).join('\n');
    expect(parseCsv(text, { stopAfter: 3 }).rows).toHaveLength(3);
    expect(() => parseCsv(text, { maxRecords: 10 })).toThrow(CsvTooManyRowsError);
    expect(parseCsv(text, { maxRecords: 50 }).rows).toHaveLength(50);
  });
});

describe('csvField / csvRow', () => {
  it('quotes only when needed and doubles quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField(30)).toBe('30');
  });

  it('defuses spreadsheet formulas but leaves phone numbers alone, and the guard comes off on re-import', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('+cmd|calc')).toBe("'+cmd|calc");
    expect(csvField('+44 20 7946 0018')).toBe('+44 20 7946 0018');
    expect(unguardFormula("'=1+1")).toBe('=1+1');
    expect(unguardFormula("it's")).toBe("it's");
  });

  it('round-trips any value through csvRow and parseCsv', () => {
    const values = ['Ada, Countess', 'line one\r\nline two', '"quoted"', '', 'üñí©ødé 🚀', ' padded '];
    expect(parseCsv(csvRow(values)).rows).toEqual([values]);
  });
});
