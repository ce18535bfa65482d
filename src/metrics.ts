/**
 * A small Prometheus registry: counters and gauges with labels, rendered as text exposition
 * format 0.0.4. One registry is made in src/runtime/ and passed to whoever counts; there is no
 * global default. (prom-client would pull Node-only process collectors into the Workers build.)
 */
type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');

const escapeLabel = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('"', '\\"');

export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly collectors: Array<() => void | Promise<void>> = [];

  private family(name: string, type: Family['type'], help: string): Family {
    let f = this.families.get(name);
    if (!f) {
      f = { help, type, values: new Map() };
      this.families.set(name, f);
    }
    return f;
  }

  /** Declare a metric so it is exposed (as 0) before its first increment. */
  declare(name: string, type: Family['type'], help: string): void {
    const f = this.family(name, type, help);
    if (f.values.size === 0) f.values.set('', { labels: {}, value: 0 });
  }

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    const f = this.family(name, 'counter', help);
    const key = labelKey(labels);
    const cur = f.values.get(key);
    if (cur) cur.value += by;
    else f.values.set(key, { labels, value: by });
    if (key !== '' && f.values.get('')?.value === 0) f.values.delete('');
  }

  set(name: string, help: string, value: number, labels: Labels = {}): void {
    this.family(name, 'gauge', help).values.set(labelKey(labels), { labels, value });
  }

  /** Run `fn` before every render (e.g. to read queue depths or process memory). */
  onCollect(fn: () => void | Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    for (const collect of this.collectors) await collect();
    const out: string[] = [];
    for (const [name, f] of [...this.families].sort(([a], [b]) => a.localeCompare(b))) {
      out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      for (const { labels, value } of f.values.values()) {
        const ls = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
        out.push(`${name}${ls.length ? `{${ls.join(',')}}` : ''} ${value}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}
