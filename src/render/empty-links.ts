/**
 * Links whose address rendered empty (`<a href="">`): the data they link to was missing — a
 * checkout sent without its `url`, so `{{cart.url}}` is blank. Handlebars renders a missing
 * value as nothing, so without this the mail looks fine and its button goes nowhere.
 */
export function emptyLinkWarnings(html: string): string[] {
  const empty = html.match(/<a\b[^>]*?\bhref\s*=\s*(?:"\s*"|'\s*')/gi)?.length ?? 0;
  return empty === 0
    ? []
    : [
        `${empty} link${empty === 1 ? ' has' : 's have'} an empty address (href=""): the data it links to is missing, e.g. a checkout without url for cart.url`,
      ];
}
