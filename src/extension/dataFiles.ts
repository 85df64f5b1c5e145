// Moved to src/hypothesis/dataFiles.ts (the CLI's `new` uses it too); re-exported for the editor's imports.
export * from '../hypothesis/dataFiles';
