/**
 * A deliberately plain check that an address can be handed to a provider: one `@`, a non-empty
 * local part, a dotted domain, no spaces or control characters, at most 254 characters.
 * Anything failing it is `failed` before the provider is called (it would bounce or be refused).
 */
export function addressProblem(address: string | null | undefined): string | undefined {
  if (address === null || address === undefined || address.trim() === '') return 'contact has no email address';
  if (address.length > 254) return 'email address is longer than 254 characters';
  if (
    !/^[^\s@<>()",;:\\[\]\x00-\x1f]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(address)
  ) {
    return `email address "${address}" is not valid`;
  }
  return undefined;
}
