import { didYouMean } from '../../dsl/suggest';
import { type SchemaKind, jsonSchemaText, schemaKinds } from '../../dsl/compile/json-schema';
import { type Command, UsageError } from '../command';

export const schemaCommand: Command = {
  summary: 'print the JSON Schema of campaign, segments or calendar files (for editors)',
  usage:
    'almanac schema [campaign|segments|calendar]\n\n' +
    'Prints the JSON Schema (draft-07) of one kind of file; campaign by default. The copies in\n' +
    'schemas/ are what the sample files reference:\n' +
    '  almanac schema campaign > schemas/campaign.schema.json',
  async run(args, io) {
    if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`);
    const kind = args[0] ?? 'campaign';
    if (!(schemaKinds as readonly string[]).includes(kind)) {
      throw new UsageError(`unknown schema "${kind}" — ${didYouMean(kind, schemaKinds, `use ${schemaKinds.join(', ')}`)}`);
    }
    io.out(jsonSchemaText(kind as SchemaKind));
    return 0;
  },
};
