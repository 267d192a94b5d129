// format.js: numbers as the desktop prints them (affine3d/app/state.py's format_matrix and _fixed).

// value with `decimals` places and no "-0.000" (format_matrix's cells).
export function fixed(value, decimals = 3) {
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

// Rows "[ a  b  c | d ]", the last column set off by "|" (app/state.py's format_matrix).
export function formatMatrix(rows, decimals = 3) {
  const cells = rows.map((row) => row.map((v) => fixed(v, decimals)));
  const width = Math.max(...cells.flat().map((c) => c.length)) + 1;
  return cells.map((row) => "[ " + row.slice(0, -1).map((c) => c.padStart(width)).join(" ") + " | "
    + row[row.length - 1].padStart(width) + " ]");
}
