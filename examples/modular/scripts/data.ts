// The committed data files of the modular example (written by train.ts), read back as a Dataset.
import * as path from 'path';
import { loadArraySync } from '../../../src/engine/data/load';
import { Dataset } from './task';

export const EXAMPLE_DIR = path.resolve(__dirname, '..');
export const DATA_FILES = {
  tokens: 'data/tokens.npy',
  labels: 'data/y.npy',
  isAddition: 'data/is_addition.npy',
  isTest: 'data/is_test.npy',
} as const;

export function loadDataset(dir = EXAMPLE_DIR): Dataset {
  const read = (file: string) => loadArraySync(path.join(dir, file));
  const tokens = read(DATA_FILES.tokens);
  const labels = read(DATA_FILES.labels);
  const isAddition = read(DATA_FILES.isAddition);
  const isTest = read(DATA_FILES.isTest);
  if (tokens.dtype !== 'int64' || labels.dtype !== 'int64' || isAddition.dtype !== 'bool' || isTest.dtype !== 'bool') {
    throw new Error(`unexpected dtypes in ${dir}/data: run examples/modular/scripts/train.ts again`);
  }
  return { n: labels.shape[0]!, tokens: tokens.data, labels: labels.data, isAddition: isAddition.data, isTest: isTest.data };
}

/** Row indices where `flag(i)` holds. */
export function rowsWhere(n: number, flag: (i: number) => boolean): number[] {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (flag(i)) rows.push(i);
  return rows;
}
