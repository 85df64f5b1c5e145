// `merge SHARD.json… --out RESULTS.json`: the shard documents of one plan (each `sweep --shard I/N` writes one) put
// back together into the results a one-process run writes, judged over the whole grid, written atomically. A shard
// from another plan or engine, a duplicate or a missing shard is named and nothing is written.
import { parseJsonText } from '../engine/util/jsonText';
import { type NamedPath, outputClash } from '../engine/util/outputs';
import { READ_LIMITS, readFileGated, ReadGateError, safeName } from '../engine/util/readGate';
import { userMessage } from '../engine/onnx/runtimeMessage';
import * as path from 'node:path';
import { mergeShardDocuments, MergeError, type NamedShard } from '../engine/sweep/merge';
import { checkResultsWritable, ResultsWriteError, writeResults } from '../engine/sweep/writeResults';
import { gridFromSweep, writeGrid } from '../engine/sweep/gridFile';
import { isShardDocument } from '../protocol/shard';
import { formatGridTable } from './gridTable';
import { type Command, EXIT } from './command';
import { displayPath } from './format';
import { formatVerdictTable } from './table';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'Merge the shard files of `sweep --shard I/N` into one results file (a grid results file for a two-dial map).',
  description:
    'The merged results equal a one-process run of the same hypothesis number for number (timings aside). Refused, with\n'
    + 'nothing written: shards of another plan or engine version, a shard given twice, a missing shard (its index is named,\n'
    + 'so it can be run again alone). Status 1 when the shards do not fit together.',
  args: [{ name: 'SHARD.json', description: 'the shard documents, every one of the plan (any order)', required: true, variadic: true }],
  flags: [
    { name: 'out', type: 'string', valueName: 'FILE', description: 'the results file to write (required)' },
    { name: 'json', type: 'boolean', description: 'print the results document instead of the verdict table' },
  ],
  async run(args, io) {
    const outFlag = args.flags.out;
    if (typeof outFlag !== 'string') {
      io.err('circuit-thermometer: merge needs --out RESULTS.json (where the merged results go)');
      return EXIT.usage;
    }
    const out = path.resolve(io.cwd, outFlag);
    const shards: NamedShard[] = [];
    const inputs: NamedPath[] = [];
    for (const arg of args.positionals) {
      const file = path.resolve(io.cwd, arg);
      const name = safeName(displayPath(file, io.cwd));
      let text: string;
      try {
        text = readFileGated(file, READ_LIMITS.results, 'shard document').toString('utf8');
      } catch (e) {
        io.err(`circuit-thermometer: cannot read ${name}: ${e instanceof ReadGateError ? e.problem : userMessage(e)}`);
        return EXIT.usage;
      }
      const json = parseJsonText(text);
      if (!json.ok) {
        io.err(`circuit-thermometer: ${name} is not JSON (${json.error.problem} at line ${json.error.line}; a shard that was still being written, or another file)`);
        return EXIT.usage;
      }
      const document = json.value;
      if (!isShardDocument(document)) {
        io.err(`circuit-thermometer: ${name} is not a shard document (sweep --shard I/N --out FILE writes those)`);
        return EXIT.usage;
      }
      shards.push({ name, document });
      inputs.push({ path: file, what: `the shard ${name}` });
    }
    // The results must not overwrite a shard, nor the hypothesis or model the shards name (issue 24).
    for (const sh of shards) {
      const d = (sh.document as { header?: { document?: { hypothesis?: { file?: unknown }; model?: { path?: unknown } } } }).header?.document;
      if (typeof d?.hypothesis?.file === 'string') inputs.push({ path: d.hypothesis.file, what: 'the hypothesis file the shards were run from' });
      if (typeof d?.model?.path === 'string') inputs.push({ path: d.model.path, what: 'the model the shards were run on' });
    }
    const clash = outputClash([{ path: out, what: 'the results file (--out)' }], inputs);
    if (clash !== null) {
      io.err(`circuit-thermometer: ${clash}`);
      return EXIT.usage;
    }
    try {
      checkResultsWritable(out);
      const merged = mergeShardDocuments(shards);
      // A two-dial map's shards (its cells are the plan's levels) merge into the grid results document.
      if (merged.hypothesis.resolved.degradation.grid) {
        const grid = writeGrid(gridFromSweep(merged), out);
        if (args.flags.json) io.out(JSON.stringify(grid, null, 2));
        else {
          io.out(formatGridTable(grid));
          io.out(`grid results: ${displayPath(out, io.cwd)} (${shards.length} shards merged)`);
        }
        return EXIT.ok;
      }
      const results = writeResults(out, merged);
      if (args.flags.json) io.out(JSON.stringify(results, null, 2));
      else {
        io.out(formatVerdictTable(results));
        io.out(`results: ${displayPath(out, io.cwd)} (${shards.length} shards merged)`);
      }
      return EXIT.ok;
    } catch (e) {
      if (e instanceof MergeError || e instanceof ResultsWriteError) {
        io.err(`circuit-thermometer: ${e.message}`);
        if (e.hint) io.err(`hint: ${e.hint}`);
        return e instanceof MergeError ? EXIT.problems : EXIT.usage;
      }
      throw e;
    }
  },
};
