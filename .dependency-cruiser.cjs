/**
 * Almanac's dependency rules, checked by `npm run check:deps` (and so by .ci/run): dependencies
 * point one way, runtime → http/cli → simulate → scheduler → domain folders → storage → the
 * kernel (dsl's language core, lib, errors, metrics, config). See README "Architecture".
 *
 * `layers` is that order, lowest first: a module may import its own folder and any folder
 * listed before it, never one after it. That makes folder cycles impossible. Adding a folder
 * means placing it in this list, where the README's table says it belongs.
 */
const layers = [
  // kernel: shared by everyone, imports nothing of ours but itself
  ['errors', '^src/errors\\.ts$'],
  ['lib', '^src/lib/'],
  ['metrics', '^src/metrics\\.ts$'],
  ['config', '^src/config(\\.ts$|/)'],
  // the campaign language: its types, conditions (in memory), diagnostics; usable by all
  ['dsl', '^src/dsl/(?!compile/)'],
  // storage: every SQL statement; imports no domain folder
  ['storage', '^src/storage/'],
  // domain folders
  ['contacts', '^src/contacts/'],
  ['consent', '^src/consent/'],
  ['journey', '^src/journey/'],
  ['calendar', '^src/calendar/'],
  ['render', '^src/render/'],
  ['tracking', '^src/tracking/'],
  ['attribution', '^src/attribution/'],
  // customer analytics, pure: lifecycle and RFM vocabulary, retention, R = N·V·L, value, predictions
  ['analytics', '^src/analytics/'],
  ['sending', '^src/sending/'],
  ['events', '^src/events/'],
  ['campaigns', '^src/campaigns/'],
  ['dsl/compile', '^src/dsl/compile/'],
  ['forecast', '^src/forecast/'],
  // read models a marketer reads: campaign reports (attribution, lift, funnel)
  ['reports', '^src/reports/'],
  // the tick and its phases
  ['scheduler', '^src/scheduler/'],
  ['simulate', '^src/simulate/'],
  // edges
  ['http', '^src/http/'],
  ['cli', '^src/cli/'],
  // the only place that builds the engine
  ['runtime', '^src/runtime/'],
];

const layerRules = layers.slice(0, -1).map(([name, path], i) => ({
  name: `layer:${name}`,
  comment: `${name} may import only itself and the folders below it (${
    layers
      .slice(0, i)
      .map(([n]) => n)
      .join(', ') || 'nothing'
  })`,
  severity: 'error',
  from: { path },
  to: { path: layers.slice(i + 1).map(([, p]) => `(${p})`), pathNot: path },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycles between files, type-only imports included',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'runtime-builds-the-engine',
      comment: 'only src/runtime/ opens databases, migrates, and builds the dispatcher and the tick; everyone else is handed them',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(runtime|storage)/' },
      to: { path: ['^src/storage/open\\.ts$', '^src/storage/migrate\\.ts$', '^src/scheduler/dispatch\\.ts$'] },
    },
    {
      name: 'http-and-cli-are-separate-edges',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'not-to-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tests|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
