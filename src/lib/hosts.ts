/** `shop.example` allows `shop.example` and its subdomains (`www.shop.example`), nothing else (LINK_ALLOWED_HOSTS). */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((a) => h === a || h.endsWith(`.${a}`));
}
