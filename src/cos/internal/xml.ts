/**
 * The little XML COS speaks: elements, text and entities, no namespaces that matter, no mixed
 * content. A small parser into a tree and helpers to read it, and a builder that escapes text.
 * Shared by the client (answers) and the emulator (request bodies).
 *
 * @internal
 */

/** One element. */
export interface XmlNode {
  readonly name: string
  readonly children: ReadonlyArray<XmlNode>
  /** The element's own text (entities decoded), `""` when it has only children. */
  readonly text: string
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }

const decodeEntities = (s: string): string =>
  s.indexOf("&") < 0
    ? s
    : s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
        if (e[0] === "#") {
          const cp = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
          return Number.isFinite(cp) && cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m
        }
        return ENTITIES[e] ?? m
      })

/** Parse a document; `undefined` when it is not well-formed enough to read. */
export const parse = (text: string): XmlNode | undefined => {
  let i = 0
  const n = text.length
  const stack: Array<{ name: string; children: Array<XmlNode>; text: string }> = []
  let root: XmlNode | undefined
  while (i < n) {
    const lt = text.indexOf("<", i)
    if (lt < 0) {
      if (stack.length > 0) stack[stack.length - 1].text += text.slice(i)
      break
    }
    if (lt > i && stack.length > 0) stack[stack.length - 1].text += text.slice(i, lt)
    if (text.startsWith("<?", lt)) {
      const e = text.indexOf("?>", lt)
      if (e < 0) return undefined
      i = e + 2
    } else if (text.startsWith("<!--", lt)) {
      const e = text.indexOf("-->", lt)
      if (e < 0) return undefined
      i = e + 3
    } else if (text.startsWith("<![CDATA[", lt)) {
      const e = text.indexOf("]]>", lt)
      if (e < 0 || stack.length === 0) return undefined
      // kept raw: mark with a sentinel so entity decoding does not touch it
      stack[stack.length - 1].text += "\u0000" + text.slice(lt + 9, e) + "\u0001"
      i = e + 3
    } else if (text.startsWith("<!", lt)) {
      const e = text.indexOf(">", lt)
      if (e < 0) return undefined
      i = e + 1
    } else if (text[lt + 1] === "/") {
      const e = text.indexOf(">", lt)
      if (e < 0) return undefined
      const name = text.slice(lt + 2, e).trim()
      const top = stack.pop()
      if (top === undefined || top.name !== name) return undefined
      const node: XmlNode = { name: top.name, children: top.children, text: top.children.length > 0 && top.text.trim() === "" ? "" : finishText(top.text) }
      if (stack.length === 0) root ??= node
      else stack[stack.length - 1].children.push(node)
      i = e + 1
    } else {
      const e = text.indexOf(">", lt)
      if (e < 0) return undefined
      let inner = text.slice(lt + 1, e)
      const selfClosing = inner.endsWith("/")
      if (selfClosing) inner = inner.slice(0, -1)
      const sp = inner.search(/\s/)
      const name = sp < 0 ? inner : inner.slice(0, sp)
      if (name === "") return undefined
      if (selfClosing) {
        const node: XmlNode = { name, children: [], text: "" }
        if (stack.length === 0) root ??= node
        else stack[stack.length - 1].children.push(node)
      } else stack.push({ name, children: [], text: "" })
      i = e + 1
    }
  }
  return stack.length === 0 ? root : undefined
}

const finishText = (raw: string): string => {
  if (raw.indexOf("\u0000") < 0) return decodeEntities(raw)
  let out = ""
  const re = /\u0000([\s\S]*?)\u0001/g
  let last = 0
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
    out += decodeEntities(raw.slice(last, m.index)) + m[1]
    last = m.index + m[0].length
  }
  return out + decodeEntities(raw.slice(last))
}

/** The first child with this name. */
export const child = (node: XmlNode | undefined, name: string): XmlNode | undefined => node?.children.find((c) => c.name === name)

/** Every child with this name. */
export const childrenOf = (node: XmlNode | undefined, name: string): ReadonlyArray<XmlNode> =>
  node === undefined ? [] : node.children.filter((c) => c.name === name)

/** The text of the first child with this name, or `undefined`. */
export const textOf = (node: XmlNode | undefined, name: string): string | undefined => child(node, name)?.text

/** Escape text for an element's content. */
export const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&apos;"))

/** What `build` turns into XML: text, a list of elements, or nested records. */
export type XmlValue = string | number | boolean | undefined | ReadonlyArray<XmlValue> | { readonly [k: string]: XmlValue }

const buildValue = (name: string, v: XmlValue): string => {
  if (v === undefined) return ""
  if (Array.isArray(v)) return (v as ReadonlyArray<XmlValue>).map((x) => buildValue(name, x)).join("")
  if (typeof v === "object") {
    let inner = ""
    for (const k of Object.keys(v)) inner += buildValue(k, (v as Record<string, XmlValue>)[k])
    return `<${name}>${inner}</${name}>`
  }
  return `<${name}>${escape(String(v))}</${name}>`
}

/** Build a document with one root element. */
export const build = (root: string, value: XmlValue, declaration = true): string =>
  (declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : "") + buildValue(root, value)
