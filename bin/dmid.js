#!/usr/bin/env -S node --max-semi-space-size=64
// The `dmid` command: runs the compiled CLI (`npm ci` and `npm run build` write dist/).
import '../dist/cli/bin.js';
