/** Upload files for the hostile-upload bench and its e2e test. */

/** The review's file: one header row of ~600,000 columns (the first one a contact column), one data row. */
export function hostileCsv(): Buffer {
  const cols = ['Name'];
  for (let i = 1, length = 4; length < 4_900_000; i++) {
    cols.push(`c${i}`);
    length += String(i).length + 2;
  }
  return Buffer.from(`${cols.join(',')}\nAda\n`);
}

export function largeCsv(rows = 10_000): Buffer {
  const lines = ['Name,E-mail,Company,Title,Notes'];
  for (let i = 0; i < rows; i++) lines.push(`Person ${i},person${i}@example.com,Company ${i % 300},Engineer,${'note '.repeat(60)}`);
  return Buffer.from(lines.join('\n'));
}
