// keys.js: the help text from the one help table (affine3d/app/keys.py, sent as JSON in scenes/index.json),
// formatted by help_text's rule: sections, then "  KEYS<padded to 19>what it does", desktop-only keys marked.
// Each word is looked up in the catalogue (the table's texts are app/keys.py's messages), so the help is in the
// reader's language; in English it is help_text("page") to the character.

import { _ } from "./i18n.js";

export const KEY_COLUMN = 19;

// table: {keys: [[section, keys, text, hosts], ...], footer}; host: "page" (or "desktop").
export function helpText(table, host = "page") {
  const lines = [];
  const own = new Set(table.keys.filter((entry) => entry[3].includes(host)).map((entry) => entry[1]));
  let section = null;
  for (const [where, keys, text, hosts] of table.keys) {
    if (!hosts.includes(host) && (host === "desktop" || own.has(keys))) continue;
    if (where !== section) { lines.push(_(where)); section = where; }
    const shown = _(keys);
    lines.push(`  ${shown.padEnd(Math.max(KEY_COLUMN, shown.length + 1))}${_(text)}${hosts.includes(host) ? "" : ` (${_("desktop: affine3d view")})`}`);
  }
  lines.push(_(table.footer));
  return lines.join("\n");
}

// Whether a key is the desktop's only (L, Backspace...): the page then says so rather than ignoring it.
export function desktopOnly(table, key) {
  const entries = table.keys.filter((entry) => entry[1] === key);
  return entries.length > 0 && entries.every((entry) => !entry[3].includes("page"));
}
