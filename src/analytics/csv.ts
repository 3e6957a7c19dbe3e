/**
 * CSV as RFC 4180 writes it: comma-separated, CRLF line ends, fields quoted when they hold a
 * comma, quote or line break. Pure, for the user and analytics exports.
 */

type Cell = string | number | boolean | null | undefined | object;

/**
 * Spreadsheets run a cell that starts with one of these as a formula (CSV injection): such text
 * gets a leading apostrophe, which spreadsheets hide and a program can strip.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV line, with its CRLF. Arrays and objects are written as JSON text. */
export function csvLine(values: readonly Cell[]): string {
  return `${values
    .map((v) => {
      const text = cellText(v);
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(',')}\r\n`;
}

/** The columns of a user CSV: the chosen fields, each custom attribute as its own column. */
export function userCsvColumns(input: {
  fields: readonly string[];
  customAttributes?: readonly string[];
}): string[] {
  const fields = input.fields.filter((f) => f !== 'custom_attributes' || !input.customAttributes);
  return [...fields, ...(input.customAttributes ?? []).map((a) => `custom_attributes.${a}`)];
}

/** One user export object as a CSV line of `columns`. */
export function userCsvLine(user: Record<string, unknown>, columns: readonly string[]): string {
  const custom = (user.custom_attributes ?? {}) as Record<string, Cell>;
  return csvLine(
    columns.map((c) =>
      c.startsWith('custom_attributes.')
        ? custom[c.slice('custom_attributes.'.length)]
        : (user[c] as Cell),
    ),
  );
}

/**
 * Braze's dashboard CSV export stops at 500,000 users (contract §2.15, §8.4 #70); the API
 * exports have no cap.
 */
export const DASHBOARD_ROW_CAP = 500_000;

/**
 * How many users the next slice of an export reads, and whether the cap ends the export with it:
 * a slice reads at most `perFile` users and never past `maxRows` (null: no cap).
 */
export function sliceSize(input: {
  perFile: number;
  maxRows: number | null;
  exported: number;
}): number {
  if (input.maxRows === null) return input.perFile;
  return Math.max(0, Math.min(input.perFile, input.maxRows - input.exported));
}

/** True when a slice that read `read` users of the `asked` it asked for was the export's last. */
export function isLastSlice(input: {
  asked: number;
  read: number;
  maxRows: number | null;
  exported: number;
}): boolean {
  if (input.read < input.asked) return true;
  return input.maxRows !== null && input.exported >= input.maxRows;
}
