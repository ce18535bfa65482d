/**
 * Intl formatters are costly to build (tens of microseconds each) and a message calls `money`,
 * `date` and `pluralize` many times with the same few locales: one cache per set of helpers
 * (./helpers.ts `createHelpers`, i.e. per renderer) keeps each formatter once, up to `max` of
 * each kind. A formatter that cannot be built (an unknown currency or zone) throws every time, as
 * the constructor does.
 */
export interface IntlCache {
  number(locale: string, options?: Intl.NumberFormatOptions): Intl.NumberFormat;
  date(locale: string, options?: Intl.DateTimeFormatOptions): Intl.DateTimeFormat;
  plural(locale: string): Intl.PluralRules;
}

export function createIntlCache(max = 256): IntlCache {
  const memo = <T>(make: (locale: string, options?: object) => T) => {
    const entries = new Map<string, T>();
    return (locale: string, options?: object): T => {
      const key = options ? `${locale}\u0000${JSON.stringify(options)}` : locale;
      let value = entries.get(key);
      if (value === undefined) {
        value = make(locale, options);
        if (entries.size >= max) entries.delete(entries.keys().next().value!);
        entries.set(key, value);
      }
      return value;
    };
  };
  return {
    number: memo((l, o) => new Intl.NumberFormat(l, o as Intl.NumberFormatOptions)),
    date: memo((l, o) => new Intl.DateTimeFormat(l, o as Intl.DateTimeFormatOptions)),
    plural: memo((l) => new Intl.PluralRules(l)),
  };
}
