// Moved to src/hypothesis/scaffold.ts (the CLI's `new` uses it too); re-exported for the editor's imports.
export * from '../hypothesis/scaffold';
