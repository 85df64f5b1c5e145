// Types of scripts/marketplaceReadme.mjs, for the test of the README the .vsix carries.
export function marketplaceReadme(markdown: string, root: string): string;
