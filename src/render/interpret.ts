import Handlebars from 'handlebars';

type Node = hbs.AST.Node;
type Program = hbs.AST.Program;
type Expression = hbs.AST.Expression;
type Hash = hbs.AST.Hash | undefined;

/** A template as a function of its context, as `Handlebars.compile` returns, without generating code. */
export type Interpreted = (context: unknown, options?: { data?: object }) => string;

/**
 * Handlebars without code generation: Cloudflare Workers forbid `new Function`, which
 * `Handlebars.compile` needs, so the Worker renders by walking the template's syntax tree
 * (`Handlebars.parse`, which also applies whitespace control and standalone-line stripping).
 * `env` is the renderer's own handlebars environment: its helpers (Handlebars' built-in
 * `if`/`unless`/`each`/`with`/`lookup`/`log` and ours, src/render/helpers.ts) and partials are
 * used as registered. The semantics follow Handlebars 4.7 at its defaults: properties resolve
 * only when they are the object's own (prototype access denied), `../` walks the contexts blocks
 * entered, `@root`/`@index`/`@first`/`@last`/`@key` and block params come from the data frames,
 * a simple mustache prefers a helper of that name, a block without a helper iterates arrays and
 * skips falsy values, a missing helper with arguments is an error, partials are indented like
 * their standalone tag. `escape` false is the `noEscape` mode of subjects and text parts.
 * tests/render/interpret.test.ts renders the sample templates and generated ones both ways and
 * asserts identical output. Partial blocks and decorators are refused with a clear error. One
 * deliberate difference: unescaped (subject, text), Handlebars' generated code adds adjacent
 * numbers or booleans (`{{a}}{{b}}` with 3 and 3 gives "6"); this writes "33", as was meant.
 */
export function interpretTemplate(source: string, env: typeof Handlebars, options: { escape: boolean }): Interpreted {
  let ast: Program | undefined;
  // Parsed partials, per template (the renderer registers them once, before the first render).
  const partials = new Map<string, Program>();
  return (context, run = {}) => {
    ast ??= Handlebars.parse(source) as unknown as Program;
    const data = run.data && 'root' in run.data ? run.data : { ...Handlebars.Utils.createFrame(run.data ?? {}), root: context };
    return new Walker(env, options.escape, partials).program(ast, context, data, [context], []);
  };
}

type Scope = { contexts: unknown[]; data: Record<string, unknown>; params: Array<Map<string, unknown>> };

const own = (obj: unknown, key: string): unknown => {
  if (obj === null || obj === undefined) return undefined;
  const target = typeof obj === 'object' || typeof obj === 'function' ? obj : Object(obj);
  return Object.prototype.hasOwnProperty.call(target, key) ? (obj as Record<string, unknown>)[key] : undefined;
};

class Walker {
  constructor(
    private readonly env: typeof Handlebars,
    private readonly escape: boolean,
    private readonly partials: Map<string, Program>,
  ) {}

  program(program: Program | undefined, context: unknown, data: object, contexts: unknown[], params: Array<Map<string, unknown>>): string {
    if (!program) return '';
    const scope: Scope = { contexts, data: data as Record<string, unknown>, params };
    let out = '';
    for (const node of program.body) out += this.statement(node, scope);
    return out;
  }

  /** A block's `fn` / `inverse`, as Handlebars hands them to helpers. */
  private block(program: Program | undefined, scope: Scope) {
    return (context: unknown, opts: { data?: object; blockParams?: unknown[] } = {}) => {
      const contexts = context === scope.contexts[0] ? scope.contexts : [context, ...scope.contexts];
      const names = program?.blockParams ?? [];
      const params = names.length
        ? [new Map(names.map((n, i) => [n, opts.blockParams?.[i]] as [string, unknown])), ...scope.params]
        : scope.params;
      return this.program(program, context, opts.data ?? scope.data, contexts, params);
    };
  }

  private statement(node: Node, scope: Scope): string {
    switch (node.type) {
      case 'ContentStatement':
        return (node as hbs.AST.ContentStatement).value;
      case 'CommentStatement':
        return '';
      case 'MustacheStatement': {
        const m = node as hbs.AST.MustacheStatement;
        const value = this.call(m.path, m.params, m.hash, scope, undefined);
        return m.escaped && this.escape ? Handlebars.Utils.escapeExpression(value as string) : value == null ? '' : String(value);
      }
      case 'BlockStatement': {
        const b = node as hbs.AST.BlockStatement;
        const value = this.call(b.path, b.params, b.hash, scope, {
          fn: this.block(b.program, scope),
          inverse: this.block(b.inverse, scope),
        });
        return value == null ? '' : String(value);
      }
      case 'PartialStatement':
        return this.partial(node as hbs.AST.PartialStatement, scope);
      default:
        throw new Handlebars.Exception(`${node.type} is not supported here (partial blocks and decorators)`, node);
    }
  }

  /** A mustache, block or subexpression: a helper call, or a value (a block without a helper: blockHelperMissing). */
  private call(
    path: Expression,
    params: Expression[],
    hash: Hash,
    scope: Scope,
    block: { fn: ReturnType<Walker['block']>; inverse: ReturnType<Walker['block']> } | undefined,
  ): unknown {
    const name = simpleName(path);
    const helper = name === undefined ? undefined : (own(this.env.helpers, name) as ((...a: unknown[]) => unknown) | undefined);
    const context = scope.contexts[0];
    const options = () => ({
      name: name ?? (path as hbs.AST.PathExpression).original,
      hash: this.hash(hash, scope),
      data: scope.data,
      loc: path.loc,
      lookupProperty: own,
      ...(block ?? { fn: undefined, inverse: undefined }),
    });
    if (typeof helper === 'function') return helper.call(context, ...params.map((p) => this.expression(p, scope)), options());
    if (params.length > 0 || (hash && hash.pairs.length > 0))
      throw new Handlebars.Exception(`Missing helper: "${name ?? (path as { original?: string }).original}"`, path);
    let value = this.expression(path, scope);
    if (typeof value === 'function') value = (value as (this: unknown) => unknown).call(context);
    if (!block) return value;
    // Handlebars' blockHelperMissing.
    if (value === true) return block.fn(context);
    if (value === false || value === null || value === undefined) return block.inverse(context);
    if (Array.isArray(value)) {
      if (value.length === 0) return block.inverse(context);
      const each = own(this.env.helpers, 'each') as (...a: unknown[]) => unknown;
      return each.call(context, value, { ...options(), name: 'each' });
    }
    return block.fn(value);
  }

  private hash(hash: Hash, scope: Scope): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pair of hash?.pairs ?? []) out[pair.key] = this.expression(pair.value, scope);
    return out;
  }

  private expression(node: Expression, scope: Scope): unknown {
    switch (node.type) {
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return (node as hbs.AST.StringLiteral).value;
      case 'UndefinedLiteral':
        return undefined;
      case 'NullLiteral':
        return null;
      case 'SubExpression': {
        const s = node as hbs.AST.SubExpression;
        const name = simpleName(s.path);
        const helper = name === undefined ? undefined : own(this.env.helpers, name);
        if (typeof helper !== 'function')
          throw new Handlebars.Exception(`Missing helper: "${name ?? (s.path as { original?: string }).original}"`, s);
        return this.call(s.path, s.params, s.hash, scope, undefined);
      }
      case 'PathExpression':
        return this.lookup(node as hbs.AST.PathExpression, scope);
      default:
        throw new Handlebars.Exception(`${node.type} is not supported here`, node);
    }
  }

  private lookup(path: hbs.AST.PathExpression, scope: Scope): unknown {
    const parts = [...path.parts];
    let value: unknown;
    if (path.data) {
      value = scope.data;
      for (let d = 0; d < path.depth; d++) value = own(value, '_parent');
    } else {
      const blockParam = path.depth === 0 && !isThis(path) && parts.length > 0 ? scope.params.find((m) => m.has(parts[0]!)) : undefined;
      if (blockParam) value = blockParam.get(parts.shift()!);
      else value = scope.contexts[Math.min(path.depth, scope.contexts.length - 1)];
    }
    for (const part of parts) value = own(value, part);
    return value;
  }

  private partial(node: hbs.AST.PartialStatement, scope: Scope): string {
    const name =
      node.name.type === 'SubExpression'
        ? String(this.expression(node.name as hbs.AST.SubExpression, scope))
        : (simpleName(node.name) ?? (node.name as hbs.AST.PathExpression).original);
    let program = this.partials.get(name);
    if (!program) {
      const source = own(this.env.partials, name);
      if (typeof source !== 'string') throw new Handlebars.Exception(`The partial ${name} could not be found`, node);
      program = Handlebars.parse(source) as unknown as Program;
      this.partials.set(name, program);
    }
    let context = node.params.length ? this.expression(node.params[0]!, scope) : scope.contexts[0];
    if (node.hash && node.hash.pairs.length) context = { ...(context as object), ...this.hash(node.hash, scope) };
    const contexts = context === scope.contexts[0] ? scope.contexts : [context, ...scope.contexts];
    const result = this.program(program, context, scope.data, contexts, []);
    if (!node.indent) return result;
    const lines = result.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i] && i + 1 === lines.length) break;
      lines[i] = node.indent + lines[i];
    }
    return lines.join('\n');
  }
}

const isThis = (p: hbs.AST.PathExpression) => /^(this|\.)(\/|\.|$)/.test(p.original) || p.original.startsWith('./');

/** The name of a path that may be a helper: one part, no `this`, no `../`, no `@`. */
function simpleName(path: Expression): string | undefined {
  if (path.type !== 'PathExpression') return undefined;
  const p = path as hbs.AST.PathExpression;
  return p.parts.length === 1 && p.depth === 0 && !p.data && !isThis(p) ? p.parts[0] : undefined;
}
