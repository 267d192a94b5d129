// i18n.js: the page's words in the reader's language, from the one catalogue (affine3d/i18n.py's, compiled to
// locale/<lang>.json by `python -m affine3d.translations compile`).
//
// Every text a reader sees is written in English in the code and wrapped in _("..."): a literal only, so
// `python -m affine3d.translations update` finds it (Babel reads these modules too); values go in afterwards
// with fill(_("{n} stages"), {n}). N_("...") marks a text made before the language is known (a table, a
// slide), looked up with _() where it is shown. A message with no translation stays English.
//
// Which language (chooseLanguage): ?lang= in the URL first, then a teacher's forced one (`serve --lang`,
// `export-web --lang`, `lecture --lang` write it into the page), then the browser's languages
// (navigator.languages), else the host's fallback (English; the lecture deck: Polish, the lecture's own).
// Importing this module changes nothing: until useCatalog() the language is English (node's tests rely on it).

export const PAGE_LANGUAGES = ["en", "pl"]; // English is the code's own; the others have a catalogue
export const SOURCE_LANGUAGE = "en";

const i18n = {
  language: SOURCE_LANGUAGE,
  messages: {},
  plural: (n) => (n === 1 ? 0 : 1),
  catalogs: new Map(), // language -> its JSON ({language, plural_forms, messages})
};

// The language shown now ("en", "pl").
export function language() {
  return i18n.language;
}

// The translation of a message (the English itself when the catalogue has none).
export function _(message) {
  const found = i18n.messages[message];
  return typeof found === "string" && found ? found : message;
}

// A text marked for the catalogue but looked up later, with _() where it is shown.
export function N_(message) {
  return message;
}

// The form of a message for the count n: Polish has three (1 plik, 2 pliki, 5 plików).
export function ngettext(singular, plural, n) {
  const forms = i18n.messages[singular];
  if (Array.isArray(forms) && forms.length) {
    const form = forms[Math.min(Math.max(i18n.plural(n), 0), forms.length - 1)];
    if (form) return form;
  }
  return n === 1 ? singular : plural;
}

// "{name}" fields filled from values (str.format's simple fields, as in the Python messages).
export function fill(text, values = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// A number inside a sentence, the reader's way (1 024,5 in Polish); never in a matrix or a file.
export function proseNumber(value, digits = null) {
  const options = digits === null ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  const number = typeof value === "bigint" ? value : Number(value); // a BigInt keeps every digit (a header length)
  return number.toLocaleString(i18n.language === "pl" ? "pl-PL" : "en-US", options);
}

// ------------------------------------------------------------------------------------------------ plural rules
// gettext's Plural-Forms expression ("n == 1 ? 0 : n % 10 >= 2 && ... ? 1 : 2") read by a small parser: C's
// operators on one variable n, no eval, no new Function (a catalogue is data, never code).
export function pluralRule(header) {
  const match = /plural\s*=\s*([^;]+)/.exec(header || "");
  if (!match) return (n) => (n === 1 ? 0 : 1);
  const tokens = match[1].match(/\d+|n|&&|\|\||[=!<>]=|[-+*/%<>!?:()]/g) || [];
  if (tokens.join("").replace(/\s/g, "") !== match[1].replace(/\s/g, "")) {
    throw new Error(`plural_forms: cannot read ${JSON.stringify(match[1])}`);
  }
  let k = 0;
  const peek = () => tokens[k];
  const take = (want) => {
    if (want !== undefined && tokens[k] !== want) throw new Error(`plural_forms: expected '${want}' in ${JSON.stringify(match[1])}`);
    return tokens[k++];
  };
  const BINARY = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "/", "%"]];
  const apply = (op, a, b) => ({
    "||": () => a() || b(), "&&": () => a() && b(), "==": () => a() === b(), "!=": () => a() !== b(),
    "<": () => a() < b(), "<=": () => a() <= b(), ">": () => a() > b(), ">=": () => a() >= b(),
    "+": () => a() + b(), "-": () => a() - b(), "*": () => a() * b(),
    "/": () => Math.trunc(a() / b()), "%": () => a() % b(),
  })[op];
  let n = 0;
  const primary = () => {
    const token = take();
    if (token === "(") { const inner = ternary(); take(")"); return inner; }
    if (token === "!") { const inner = primary(); return () => !inner(); }
    if (token === "-") { const inner = primary(); return () => -inner(); }
    if (token === "n") return () => n;
    if (/^\d+$/.test(token ?? "")) { const value = Number(token); return () => value; }
    throw new Error(`plural_forms: unexpected ${token === undefined ? "end" : `'${token}'`} in ${JSON.stringify(match[1])}`);
  };
  const binary = (level) => {
    if (level === BINARY.length) return primary();
    let left = binary(level + 1);
    while (BINARY[level].includes(peek())) {
      const op = take(), a = left, b = binary(level + 1);
      left = apply(op, a, b);
    }
    return left;
  };
  function ternary() {
    const test = binary(0);
    if (peek() !== "?") return test;
    take("?");
    const yes = ternary();
    take(":");
    const no = ternary();
    return () => (test() ? yes() : no());
  }
  const expression = ternary();
  if (k !== tokens.length) throw new Error(`plural_forms: unexpected '${tokens[k]}' in ${JSON.stringify(match[1])}`);
  return (count) => { n = Math.abs(Math.trunc(count)); return Number(expression()); };
}

// ------------------------------------------------------------------------------------------------ choosing
// "pl-PL", "pl_PL.UTF-8", "PL" -> "pl" (affine3d/i18n.py's language_code).
export function languageCode(name) {
  return String(name || "").toLowerCase().split(/[-_.@]/)[0];
}

// The language to show: asked (?lang=), else forced (the teacher's), else the first of preferred (the browser's
// languages, "pl-PL" counts as "pl") that has a catalogue, else fallback.
export function chooseLanguage({ asked = null, forced = null, preferred = [], fallback = SOURCE_LANGUAGE, known = PAGE_LANGUAGES } = {}) {
  const code = languageCode;
  for (const wish of [asked, forced]) if (wish && known.includes(code(wish))) return code(wish);
  for (const name of preferred) if (known.includes(code(name))) return code(name);
  return fallback;
}

// The browser's wishes: ?lang= and navigator.languages (an empty list outside a browser).
export function browserWishes() {
  const asked = typeof location === "undefined" ? null : new URLSearchParams(location.search).get("lang");
  const preferred = typeof navigator === "undefined" ? [] : [...(navigator.languages ?? [navigator.language])].filter(Boolean);
  return { asked, preferred };
}

// Take a catalogue ({language, plural_forms, messages}, the compiled JSON) for later use: useLanguage(lang).
export function addCatalog(lang, catalog) {
  i18n.catalogs.set(lang, catalog);
}

// Show lang from now on: its catalogue's words (English: the code's own). Returns the language shown.
export function useLanguage(lang) {
  if (lang === SOURCE_LANGUAGE || !i18n.catalogs.has(lang)) {
    i18n.language = SOURCE_LANGUAGE;
    i18n.messages = {};
    i18n.plural = (n) => (n === 1 ? 0 : 1);
    return i18n.language;
  }
  const catalog = i18n.catalogs.get(lang);
  i18n.language = lang;
  i18n.messages = catalog.messages || {};
  i18n.plural = pluralRule(catalog.plural_forms);
  return lang;
}

// Fetch locale/<lang>.json (the page, the exported site) and use it; English needs no file.
export async function loadLanguage(lang, base = "locale/") {
  if (lang !== SOURCE_LANGUAGE && !i18n.catalogs.has(lang)) {
    const response = await fetch(`${base}${lang}.json`);
    if (!response.ok) throw new Error(`${base}${lang}.json: ${response.status} ${response.statusText}`);
    addCatalog(lang, await response.json());
  }
  return useLanguage(lang);
}

// An element's texts from its data-i18n attributes: data-i18n (the text), data-i18n-title, data-i18n-aria-label;
// each holds the English, which is also the message's id (the catalogue finds it through N_ in app.js).
export function translateElements(root) {
  for (const element of root.querySelectorAll("[data-i18n], [data-i18n-title], [data-i18n-aria-label]")) {
    if (element.dataset.i18n !== undefined) {
      if (!element.dataset.i18nSource) element.dataset.i18nSource = element.dataset.i18n || element.textContent.trim();
      element.textContent = _(element.dataset.i18nSource);
    }
    if (element.dataset.i18nTitle) element.title = _(element.dataset.i18nTitle);
    if (element.dataset.i18nAriaLabel) element.setAttribute("aria-label", _(element.dataset.i18nAriaLabel));
  }
}
