import { cleanText, decodeUtf16be } from './text.js';
import { findPath, type FsTree } from './tree.js';

/** Most bytes of one bdmt_*.xml read (real ones are a few KiB). */
const MAX_XML_BYTES = 64 * 1024;
const MAX_FILES_TRIED = 4;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,4});/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[body] ?? whole;
  });
}

function decodeXml(bytes: Buffer): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16be(bytes.subarray(2));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  return bytes.toString('utf8').replace(/^\ufeff/, '');
}

/**
 * The disc title of a Blu-ray `bdmt_*.xml`: the text of the first `<di:name>` element (any
 * namespace prefix, or none). Plain string search, linear in the input; CDATA and entities decoded.
 */
export function extractBdTitle(bytes: Buffer): string | null {
  const xml = decodeXml(bytes.subarray(0, MAX_XML_BYTES));
  const open = /<(?:[A-Za-z_][\w.-]{0,20}:)?name(?:\s[^<>]{0,200})?>/.exec(xml);
  if (open === null) return null;
  const start = open.index + open[0].length;
  const end = xml.indexOf('</', start);
  if (end === -1) return null;
  let text = xml.slice(start, end);
  const cdata = /^\s*<!\[CDATA\[([\s\S]*?)(?:\]\]>)?\s*$/.exec(text);
  text = cdata === null ? decodeEntities(text) : (cdata[1] ?? '');
  return cleanText(text, 200);
}

/** `bdmt_eng.xml` first, then the other languages in name order. */
function orderBdmtFiles(names: readonly string[]): string[] {
  const matching = names.filter((name) => /^bdmt_[a-z]{3}\.xml(;\d+)?$/i.test(name));
  const language = (name: string): string => name.slice(5, 8).toLowerCase();
  return [...matching].sort((a, b) => {
    const rank = (name: string): number => (language(name) === 'eng' ? 0 : 1);
    return rank(a) - rank(b) || a.localeCompare(b);
  });
}

/** The Blu-ray title from `BDMV/META/DL/bdmt_*.xml` of the first tree that has one. */
export async function readBdTitle(trees: readonly FsTree[]): Promise<string | null> {
  for (const tree of trees) {
    const dir = await findPath(tree, ['BDMV', 'META', 'DL']);
    if (dir === null) continue;
    const children = await dir.list();
    const ordered = orderBdmtFiles(children.filter((child) => !child.isDir).map((child) => child.name));
    for (const name of ordered.slice(0, MAX_FILES_TRIED)) {
      const file = children.find((child) => child.name === name);
      const data = file === undefined ? null : await file.read(MAX_XML_BYTES);
      const title = data === null ? null : extractBdTitle(data);
      if (title !== null) return title;
    }
  }
  return null;
}
