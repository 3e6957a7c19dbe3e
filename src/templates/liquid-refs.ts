/** How templates name Content Blocks, shared by validation and the API's `liquid_tag`. */

/** Braze: letters, digits, dashes and underscores only. */
export const CONTENT_BLOCK_NAME = /^[A-Za-z0-9_-]+$/;
export const CONTENT_BLOCK_NAME_MAX = 100;

/** True when a block could have this name. */
export function isContentBlockName(name: string): boolean {
  return name.length <= CONTENT_BLOCK_NAME_MAX && CONTENT_BLOCK_NAME.test(name);
}

/** The tag that inserts a block, exactly as Braze answers it in `liquid_tag`. */
export function liquidTag(name: string): string {
  return `{{content_blocks.\${${name}}}}`;
}

// `{{content_blocks.${name}}}`, also with whitespace control and filters after the name
// (`{{ content_blocks.${name} | id: 'cb1' }}`).
const REFERENCE = /\{\{-?\s*content_blocks\.\$\{\s*([A-Za-z0-9_-]+)\s*\}/g;

/** The distinct Content Block names a template text inserts. */
export function referencedContentBlocks(text: string): string[] {
  return [...new Set([...text.matchAll(REFERENCE)].map((m) => m[1]!))];
}
