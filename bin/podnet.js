#!/usr/bin/env node
// Run the TypeScript CLI through tsx's loader, so `npm link` / `npx podnet` work without a build.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
